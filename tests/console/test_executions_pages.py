"""Run form, execution detail (graph, table, logs, buttons), approvals inbox, cancel."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from orchestration.models import Execution, ExecutionStatus
from templates_app.services import templates as template_service
from tests.console.conftest import RUNBOOK, drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def runbook(tenant_a):
    return template_service.create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)


def start(client, runbook, **params) -> Execution:
    data = {"mode": "Automatic", "safety_check": "ConfirmEveryHighRiskAction", "loop_mode": "Automatic"}
    data.update({f"param-{k}": v for k, v in params.items()})
    response = client.post(f"/console/templates/{runbook.pk}/run/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Execution.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_run_form_is_generated_from_parameters(operator_a, runbook, client_as):
    page = client_as(operator_a).get(f"/console/templates/{runbook.pk}/run/").content.decode()
    assert 'name="param-Target"' in page and 'pattern="vm-[0-9]+"' in page and "required" in page
    assert '<select name="param-Size"' in page and '<option value="large">' in page
    assert 'type="number"' in page and 'max="60"' in page and 'value="1"' in page
    assert "The VM to work on." in page


def test_server_enforces_parameters_beside_the_field(operator_a, runbook, client_as):
    response = client_as(operator_a).post(
        f"/console/templates/{runbook.pk}/run/",
        {"mode": "Automatic", "safety_check": "ConfirmEveryHighRiskAction", "loop_mode": "Automatic",
         "param-Target": "db-1", "param-Seconds": "99"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "does not match AllowedPattern" in body and "above MaxValue" in body
    assert not Execution.objects.exists()


def test_viewer_cannot_run(viewer_a, runbook, client_as):
    client = client_as(viewer_a)
    assert "does not allow running" in client.get(f"/console/templates/{runbook.pk}/run/").content.decode()
    response = client.post(f"/console/templates/{runbook.pk}/run/", {"param-Target": "vm-1"})
    assert response.status_code == 403


def test_start_approve_and_finish(operator_a, runbook, client_as):
    client = client_as(operator_a)
    execution = start(client, runbook, Target="vm-7", Size="large")
    assert execution.parameters == {"Target": "vm-7", "Size": "large", "Seconds": 1}
    execution = drive(execution.pk)
    assert execution.status == ExecutionStatus.WAITING

    inbox = client.get("/console/approvals/").content.decode()
    assert "approve-pause" in inbox and "Go ahead with vm-7?" in inbox
    dashboard = client.get("/console/").content.decode()
    assert "Open the approvals inbox" in dashboard

    live = client.get(f"/console/executions/{execution.pk}/live/").content.decode()
    assert 'hx-trigger="every 2s"' in live and "node-waiting" in live and 'value="approve"' in live
    waiting = execution.task_executions.get(task_name="approve")
    response = client.post(
        f"/console/executions/{execution.pk}/act/",
        {"action": "approve", "task_execution_id": waiting.pk, "note": "ok", "next": "approvals"},
    )
    assert response.status_code == 302 and response["Location"] == "/console/approvals/"
    execution = drive(execution.pk)
    assert execution.status == ExecutionStatus.SUCCESS

    page = client.get(f"/console/executions/{execution.pk}/").content.decode()
    assert "node-success" in page and "<svg" in page and "vm-7" in page
    assert 'hx-trigger="every' not in page  # finished: no more polling
    logs = client.get(f"/console/executions/{execution.pk}/logs/", {"task": "approve"}).content.decode()
    assert "Approve by oscar" in logs or "approve" in logs
    listing = client.get("/console/executions/", {"status": "Success"}).content.decode()
    assert execution.pk in listing


def test_reject_fails_the_execution(operator_a, runbook, client_as):
    client = client_as(operator_a)
    execution = drive(start(client, runbook, Target="vm-1").pk)
    client.post(f"/console/executions/{execution.pk}/act/", {"action": "reject", "note": "not today"})
    assert drive(execution.pk).status == ExecutionStatus.FAILED
    assert "Recent failures" in client.get("/console/").content.decode()


def test_cancel(operator_a, runbook, client_as):
    client = client_as(operator_a)
    execution = drive(start(client, runbook, Target="vm-1").pk)
    response = client.post(f"/console/executions/{execution.pk}/act/", {"action": "cancel"})
    assert response.status_code == 302
    assert drive(execution.pk).status == ExecutionStatus.CANCELLED


def test_other_tenants_execution_is_not_found(operator_a, admin_b, tenant_b, client_as):
    theirs = template_service.create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=RUNBOOK)
    execution = start(client_as(admin_b), theirs, Target="vm-2")
    client = client_as(operator_a)
    assert client.get(f"/console/executions/{execution.pk}/").status_code == 404
    assert client.post(f"/console/executions/{execution.pk}/act/", {"action": "cancel"}).status_code == 404
    assert execution.pk not in client.get("/console/executions/").content.decode()
