"""Approvals in a real browser: the approver sees what they approve (the step's rendered
properties and the VMs it will act on), one approval covers the high-risk step it leads
to, and a tenant can require someone else than the starter to approve."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from orchestration.models import ExecutionLog, TaskExecution
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import drive
from tests.console.test_browser import log_in
from vsphere.models import InventoryObject
from vsphere.services import vm_operations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

STOP_AFTER_APPROVAL = """FormatVersion: OOS-2019-06-01
Parameters:
  Pattern:
    Type: String
    Default: 'DC0_C0_RP0_VM*'
Tasks:
  - Name: findVMs
    Action: ACS::VSphere::DescribeVMs
    Properties:
      NamePattern: '{{ Pattern }}'
    Outputs:
      vmIds:
        Type: List
        ValueSelector: '.VMs[].VMId'
  - Name: approve
    Action: ACS::Approve
    Properties:
      Message: Stop the lab VMs?
  - Name: stopVMs
    Action: ACS::VSphere::StopVM
    Properties:
      VMIds: '{{ findVMs.vmIds }}'
"""
NAMES = ("DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1")


@pytest.fixture
def lab_vms(synced_vcenter):
    """The two VMs the runbook stops, powered on before and after (the simulator is shared)."""
    rows = {name: InventoryObject.objects.get(vcenter=synced_vcenter, name=name) for name in NAMES}

    def power_on():
        for row in rows.values():
            handle = vm_operations.submit_power_on(synced_vcenter, row.moref)
            while vm_operations.poll(handle).state == "running":
                pass

    power_on()
    yield rows
    power_on()


def test_the_approver_sees_the_vms_and_one_approval_runs_the_stop(page, screenshot, tenant_a, operator_a, lab_vms):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="stop-lab", content=STOP_AFTER_APPROVAL)
    execution = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=template).pk)
    assert execution.status_reason == "WaitingForApproval"

    log_in(page, "oscar", "pw-oscar")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    card = page.locator(".approval", has_text="stop-lab")
    preview = card.locator(".approval-preview")
    expect(preview).to_contain_text("stopVMs")
    expect(preview).to_contain_text("High-risk action")
    expect(preview).to_contain_text("It acts on 2 VMs")
    for name, row in lab_vms.items():
        expect(preview.locator("li", has_text=row.moref)).to_contain_text(name)
    preview.get_by_text("Properties").click()
    expect(preview.locator("pre")).to_contain_text(lab_vms[NAMES[0]].moref)  # rendered, not {{ findVMs.vmIds }}
    screenshot("approvals-preview")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator(".approval-preview").first).to_contain_text("批准后将运行这些步骤")
    expect(page.locator(".approval .badge").first).to_have_text("审批")
    screenshot("approvals-preview-zh")
    page.get_by_role("button", name="English").click()

    page.goto(f"/console/executions/{execution.pk}/")
    expect(page.locator("#live .approval-preview")).to_contain_text("It acts on 2 VMs")
    screenshot("execution-approval-preview")

    page.goto("/console/approvals/")
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing is waiting for approval.")).to_be_visible()
    execution = drive(execution.pk, timeout=60)
    assert execution.status == "Success", execution.status_message  # no second confirmation
    assert not TaskExecution.objects.filter(execution=execution, extra__waiting_for="confirmation").exists()
    assert ExecutionLog.objects.filter(
        execution=execution, message="Task stopVMs runs high-risk action ACS::VSphere::StopVM, "
                                     "approved with task approve by oscar.").exists()
    for row in lab_vms.values():  # the inventory already says so, before any sync
        row.refresh_from_db()
        assert row.power_state == "poweredOff"


def test_a_tenant_can_require_another_approver(page, screenshot, tenant_a, operator_a, admin_a):
    from tests.console.conftest import RUNBOOK

    tenant_a.allow_self_approval = False
    tenant_a.save()
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    execution = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                              parameters={"Target": "vm-7"}).pk)
    log_in(page, "oscar", "pw-oscar")
    page.goto("/console/approvals/")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages, .alert, main")).to_contain_text(
        "oscar started this execution, and tenant Acme requires another member to approve it.")
    screenshot("approval-self-refused")
    assert drive(execution.pk).status == "Waiting"

    other = page.context.browser.new_context(base_url=page.url.split("/console")[0])
    tab = other.new_page()
    log_in(tab, "alice", "pw-alice")
    tab.goto("/console/approvals/")
    tab.get_by_role("button", name="Approve").click()
    expect(tab.get_by_text("Nothing is waiting for approval.")).to_be_visible()
    assert drive(execution.pk).status == "Success"
    other.close()
