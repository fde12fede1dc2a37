"""Decisions on an execution as an operator sees them afterwards: status and reason agree,
and the log says who decided."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from orchestration.models import ExecutionStatus
from templates_app.services import templates as template_service
from tests.console.conftest import RUNBOOK, drive
from tests.console.test_executions_pages import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def runbook(tenant_a):
    return template_service.create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)


def test_a_rejected_execution_no_longer_says_it_waits_for_approval(operator_a, runbook, client_as):
    client = client_as(operator_a)
    execution = drive(start(client, runbook, Target="vm-1").pk)
    assert execution.status_reason == "WaitingForApproval"
    client.post(f"/console/executions/{execution.pk}/act/", {"action": "reject", "note": "not today"})
    execution = drive(execution.pk)
    assert execution.status == ExecutionStatus.FAILED
    assert execution.status_reason == ""
    page = client.get(f"/console/executions/{execution.pk}/").content.decode()
    assert "WaitingForApproval" not in page and "Rejected by oscar: not today" in page
