"""Console fixtures: Django test clients signed in as the shared tenancy fixtures' users."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.console.vsphere_sim import broken_vcenter, sim_vcenter, synced_vcenter  # noqa: F401

VALID = """FormatVersion: OOS-2019-06-01
Parameters:
  Duration:
    Type: String
    Default: PT1S
Tasks:
  - Name: pause
    Action: ACS::Sleep
    Properties:
      Duration: '{{ Duration }}'
"""

# A runbook with typed, constrained parameters, an approval step and a short sleep.
RUNBOOK = """FormatVersion: OOS-2019-06-01
Description: Approve, then pause.
Parameters:
  Target:
    Type: String
    AllowedPattern: 'vm-[0-9]+'
    Description: The VM to work on.
  Size:
    Type: String
    AllowedValues: [small, large]
    Default: small
  Seconds:
    Type: Number
    Default: 1
    MinValue: 0
    MaxValue: 60
Tasks:
  - Name: approve
    Action: ACS::Approve
    Properties:
      Message: 'Go ahead with {{ Target }}?'
  - Name: pause
    Action: ACS::Sleep
    Properties:
      Duration: 'PT{{ Seconds }}S'
Outputs:
  Target:
    Type: String
    Value: '{{ Target }}'
"""


def drive(execution_id: str, timeout: float = 20.0):
    """Advance an execution in-process (as a worker would) until it ends or waits for a person."""
    from orchestration.engine.runner import advance
    from orchestration.models import Execution

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        advance(execution_id)
        current = Execution.objects.get(pk=execution_id)
        if current.is_finished or current.wake_at is None:
            return current
        time.sleep(min(0.2, max(0.0, (current.wake_at - timezone.now()).total_seconds())))
    raise AssertionError(f"{execution_id} did not settle in {timeout} s")


@pytest.fixture
def client_as():
    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


# --- real browser (Debian's chromium, driven by Playwright; never a downloaded browser) ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; tests/infra/run-tests.sh does)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make around it are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab (own cookies) whose relative URLs go to the live server."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves the current page as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
