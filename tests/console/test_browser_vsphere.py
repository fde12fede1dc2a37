"""vSphere pages and the execution additions in a real browser (Debian's chromium), with screenshots."""
from __future__ import annotations

import json

import pytest

import tests.orchestration.engine.conftest  # noqa: F401  (registers Test::Flaky)
from orchestration.authorization import SYSTEM
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import drive
from tests.console.test_browser import log_in
from tests.orchestration.engine.conftest import FAILURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def test_admin_syncs_a_vcenter_and_browses_inventory_and_tasks(page, screenshot, admin_a, sim_vcenter):
    log_in(page, "alice", "pw-alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="vSphere").click()
    expect(page.get_by_role("heading", name="vCenters", level=1)).to_be_visible()
    expect(page.locator("[data-sync-status]")).to_have_text("Never synced")

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator(".messages")).to_contain_text("connection works")
    page.get_by_role("button", name="Sync now").press("Enter")  # keyboard works as well as a click
    expect(page.locator(".messages")).to_contain_text("lab-vcsim synced")
    expect(page.locator("[data-sync-status]")).to_have_text("OK")
    screenshot("vsphere-vcenters")

    page.get_by_role("link", name="Inventory", exact=True).click()
    expect(page.get_by_role("heading", name="Inventory", level=1)).to_be_visible()
    expect(page.locator(".tree summary", has_text="DC0_C0").first).to_be_visible()
    expect(page.locator("tr.vm", has_text="DC0_C0_RP0_VM0")).to_contain_text("Powered on")
    screenshot("vsphere-inventory")
    page.get_by_label("Name contains").fill("H0_VM1")
    expect(page.locator("tr.vm")).to_have_count(1)
    expect(page.locator("tr.vm")).to_contain_text("DC0_H0_VM1")
    screenshot("vsphere-inventory-search")

    page.locator("tr.vm").get_by_role("link", name="Tasks of DC0_H0_VM1").click()
    expect(page.get_by_role("heading", name="vSphere tasks", level=1)).to_be_visible()
    expect(page.get_by_label("Entity")).to_have_value("vm-60")
    expect(page.locator("tr.vsphere-task").first).to_contain_text("vm-60")
    page.get_by_label("Entity").fill("")
    page.get_by_label("Status").select_option("success")
    expect(page.locator("tr.vsphere-task").first).to_contain_text("Success")
    screenshot("vsphere-tasks")

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="vSphere 任务", level=1)).to_be_visible()
    screenshot("vsphere-tasks-zh")
    page.get_by_role("link", name="清单", exact=True).click()
    expect(page.locator("tr.vm").first).to_contain_text("已开机")
    screenshot("vsphere-inventory-zh")
    page.get_by_role("link", name="仪表盘").click()
    expect(page.locator("#h-vcenters")).to_have_text("vCenter 同步状态")
    screenshot("dashboard-vcenters-zh")


def test_retry_failed_loop_items_and_read_them(page, screenshot, operator_a, tenant_a):
    FAILURES.update({"browser-ok1": 1, "browser-ok2": 1})
    FAILURES.pop("browser-bad", None)
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": [{
        "Name": "each", "Action": "Test::Flaky",
        "Properties": {"Failures": 1, "Key": "browser-{{ ACS::TaskLoopItem }}", "Value": "{{ ACS::TaskLoopItem }}"},
        "Loop": {"Items": ["ok1", "bad", "ok2"], "Concurrency": 3, "MaxErrors": 0}}]}
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="each-vm", content=json.dumps(body))
    execution = service.start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    assert drive(execution.pk).status == "Failed"

    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/executions/{execution.pk}/")
    expect(page.locator("#live [data-status]")).to_have_text("Failed")
    screenshot("execution-failed-rerun")
    page.locator("#live").get_by_role("link", name="items").click()
    expect(page.get_by_role("heading", name="Loop items of each")).to_be_visible()
    expect(page.locator("tr.loop-item", has_text="bad")).to_contain_text("flaky failure 1")
    screenshot("execution-loop-items")
    page.get_by_role("link", name="Back to execution").click()

    page.get_by_role("button", name="Retry failed loop items only").click()
    expect(page.locator("#live [data-status]")).not_to_have_text("Failed")
    drive(execution.pk)
    expect(page.locator("#live [data-status]")).to_have_text("Success", timeout=15_000)
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("#live [data-status]")).to_have_text("成功")
    screenshot("execution-success-zh")
    for key in ("browser-ok1", "browser-ok2", "browser-bad"):
        FAILURES.pop(key, None)
