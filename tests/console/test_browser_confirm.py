"""Destructive actions ask first, the same way everywhere: one dialog that names what will
happen; "Go back" changes nothing, and the log says who did it."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from orchestration.models import ExecutionLog
from orchestration.services import executions as service
from templates_app.models import Template
from templates_app.services.templates import create_template
from tests.console.conftest import RUNBOOK, VALID, drive
from tests.console.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def test_reject_asks_then_fails_the_execution_and_says_who(page, screenshot, tenant_a, operator_a):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    execution = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                              parameters={"Target": "vm-3"}).pk)
    log_in(page, "oscar", "pw-oscar")
    page.goto("/console/approvals/")
    page.get_by_role("button", name="Reject").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text(f"Reject step approve: execution {execution.pk} fails and none of the steps "
                                   "after it run.")
    screenshot("confirm-reject")
    dialog.get_by_role("button", name="Go back").click()
    assert drive(execution.pk).status == "Waiting"

    page.get_by_label("Note").fill("not today")
    page.get_by_role("button", name="Reject").click()
    dialog.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Nothing is waiting for approval.")).to_be_visible()
    assert drive(execution.pk).status == "Failed"
    page.goto(f"/console/executions/{execution.pk}/")
    expect(page.locator("#logs")).to_contain_text("Rejected by oscar: not today")


def test_cancel_names_the_execution_and_the_log_says_who(page, tenant_a, operator_a):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    execution = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                              parameters={"Target": "vm-3"}).pk)
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/executions/{execution.pk}/")
    page.get_by_role("button", name="Cancel execution").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text(f"Cancel execution {execution.pk} of approve-pause: its 1 running or waiting "
                                   "task stops")
    with page.expect_response(lambda r: r.url.endswith("/act/")) as answer:  # the cancel reached the server
        dialog.get_by_role("button", name="Cancel execution").click()
    assert answer.value.status in (200, 302)
    expect(dialog).to_be_hidden()
    assert drive(execution.pk).status == "Cancelled"
    line = "Execution cancelled. Cancelled by oscar."
    assert ExecutionLog.objects.filter(execution_id=execution.pk, message=line).exists()


def test_delete_template_asks_with_its_version_count(page, screenshot, tenant_a, admin_a):
    create_template(tenant=tenant_a, actor=SYSTEM, name="old-runbook", content=VALID)
    log_in(page, "alice", "pw-alice")
    page.goto("/console/templates/")
    page.get_by_role("link", name="old-runbook").click()
    page.get_by_role("button", name="Delete template").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Delete template old-runbook and its 1 version. Executions keep their own copy.")
    screenshot("confirm-delete-template")
    page.keyboard.press("Escape")  # the keyboard backs out too
    expect(dialog).to_be_hidden()
    assert Template.objects.filter(name="old-runbook").exists()
    page.get_by_role("button", name="Delete template").click()
    dialog.get_by_role("button", name="Delete template").click()
    expect(page.get_by_role("heading", name="Templates", level=1)).to_be_visible()
    assert not Template.objects.filter(name="old-runbook").exists()
