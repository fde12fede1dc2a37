"""OrchTasks in a real browser (Debian's chromium) against the vSphere simulator: write a
two-step task with a delay (a validation error shown at its step, then fixed), execute it
and watch the per-resource results turn to Success live, with screenshots."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from orchestration.models import OrchTask, Region
from tests.console.conftest import drive
from tests.console.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def inventory(synced_vcenter):
    synced_vcenter.region = Region.objects.create(id="cn-sim", alias="Simulator")
    synced_vcenter.save()
    return synced_vcenter


def pick(page, step: int, vm: str) -> None:
    """Narrow the step's VM list with its filter box, then tick the one VM left."""
    page.get_by_label("Filter VMs").nth(step).fill(vm)
    options = page.locator(f"#step-{step}-vms .vm-option:visible")
    expect(options).to_have_count(1)
    options.get_by_role("checkbox").check()


def test_write_execute_and_watch_an_orchtask(page, screenshot, operator_a, inventory):
    log_in(page, "oscar", "pw-oscar")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="OrchTasks").click()
    expect(page.get_by_role("heading", name="OrchTasks", level=1)).to_be_visible()
    page.get_by_role("link", name="New OrchTask").click()

    page.get_by_label("Name", exact=True).fill("rolling-reset")
    page.get_by_label("Remark").fill("two hosts, one after the other")
    page.get_by_label("Task type").select_option("ResetInOrder")
    pick(page, 0, "DC0_H0_VM0")
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("#step-1-order")).to_be_focused()  # the keyboard lands on the new step
    page.locator("#step-1-delay").fill("9999")
    pick(page, 1, "DC0_C0_RP0_VM0")
    page.get_by_role("button", name="Create OrchTask").click()

    error = page.locator("#step-1 .step-error")
    expect(error).to_contain_text("delay must be an integer from 0 to 3600")
    expect(page.locator("#step-0 .step-error")).to_have_count(0)
    expect(page.locator("#step-1 input[type=checkbox]:checked")).to_have_count(1)  # the choice survived
    screenshot("orchtask-form-error")
    page.locator("#step-1-delay").fill("2")
    page.get_by_role("button", name="Create OrchTask").click()

    expect(page.get_by_role("heading", name="rolling-reset", level=1)).to_be_visible()
    expect(page.locator("#live [data-status]")).to_have_text("Ready")
    expect(page.locator("tr.resource")).to_have_count(2)
    page.get_by_role("button", name="Execute").click()  # stops nothing yet: it asks first
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Execute rolling-reset now: Reset VMs in order acts on 2 VMs in 2 step(s).")
    screenshot("orchtask-confirm-execute")
    dialog.get_by_role("button", name="Go back").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#live [data-status]")).to_have_text("Ready")
    assert OrchTask.objects.get(name="rolling-reset").latest_execution_id is None
    page.get_by_role("button", name="Execute").click()
    dialog.get_by_role("button", name="Execute").click()
    expect(page.locator("#live [data-status]")).to_have_text("Running")
    execution_id = OrchTask.objects.get(name="rolling-reset").latest_execution_id

    def advance():  # a worker's job, in-process
        try:
            drive(execution_id, timeout=90)
        finally:
            connection.close()

    worker = threading.Thread(target=advance, daemon=True)
    worker.start()
    step1 = page.locator("tr.resource").first.locator("[data-result]")
    expect(step1).to_have_text("Success", timeout=30_000)
    screenshot("orchtask-running")
    expect(page.locator("#live [data-status]")).to_have_text("Success", timeout=30_000)
    expect(page.locator("#live [data-result='Success']")).to_have_count(2)
    worker.join(timeout=30)
    screenshot("orchtask-success")

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("#live [data-status]")).to_have_text("成功")
    screenshot("orchtask-success-zh")
    page.locator("#execution-link").click()
    expect(page.locator("#live [data-status]")).to_have_text("成功")
    expect(page.locator("svg.graph .node-success")).to_have_count(3)  # Step1, Step2Delay, Step2
