"""The first minute of a new user, in a real browser: log in lands on the dashboard, the
API docs render without internet, the admin points back at the console, and no page
asks another host for anything."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect
ROOT = Path(__file__).resolve().parents[2]


def requests_elsewhere(page, live_server) -> list[str]:
    """Collect every request the page makes to a host other than the service's own."""
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    page.on("request", lambda request: urlsplit(request.url).netloc not in ("", own)
            and not request.url.startswith("data:") and elsewhere.append(request.url))
    return elsewhere


def test_log_in_without_next_lands_on_the_dashboard(page, live_server, operator_a):
    elsewhere = requests_elsewhere(page, live_server)
    page.goto("/console/login/")
    page.get_by_label("Username").fill("oscar")
    page.get_by_label("Password").fill("pw-oscar")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert urlsplit(page.url).path == "/console/"
    assert elsewhere == []


def test_api_docs_render_from_our_own_static_files(page, live_server, operator_a, screenshot):
    elsewhere = requests_elsewhere(page, live_server)
    page.goto("/console/login/")
    page.get_by_label("Username").fill("oscar")
    page.get_by_label("Password").fill("pw-oscar")
    page.get_by_role("button", name="Log in").click()
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("vSphere Operations Orchestration API")
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot("api-docs")
    assert elsewhere == [], elsewhere


def test_admin_view_site_opens_the_console(page, live_server, superuser):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("pw-root")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_contain_text("vSphere Operations Orchestration")
    page.get_by_role("link", name="View site").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def test_a_command_without_its_settings_says_what_to_set_in_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "manage.py: SECRET_KEY is not set. Set it in the environment (or DEBUG=1 for a generated dev key)."]
