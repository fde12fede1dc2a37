"""The executions list: date range, who started it, search by name or id, bulk cancel/delete; the approvals badge."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from orchestration.authorization import SYSTEM
from orchestration.models import AuditEvent, Execution, ExecutionStatus
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import RUNBOOK, drive

pytestmark = pytest.mark.django_db

NAP = """FormatVersion: OOS-2019-06-01
Parameters:
  Duration:
    Type: String
    Default: PT0S
Tasks:
  - Name: nap
    Action: ACS::Sleep
    Properties:
      Duration: '{{ Duration }}'
"""


def ids_in(response) -> set[str]:
    return set(re.findall(r'<code>(exec-[0-9a-f]+)</code>', response.content.decode()))


@pytest.fixture
def runs(tenant_a, operator_a, admin_a):
    """Three of A's executions: two by oscar (one 10 days old, one running), one by A's admin."""
    nap = create_template(tenant=tenant_a, actor=SYSTEM, name="nap-short", content=NAP)
    other = create_template(tenant=tenant_a, actor=SYSTEM, name="backup-nightly", content=NAP)
    old = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=nap, safety_check="Skip").pk)
    Execution.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    running = service.start_execution(tenant=tenant_a, user=operator_a, template=nap, parameters={"Duration": "PT1H"},
                                      safety_check="Skip")
    by_admin = drive(service.start_execution(tenant=tenant_a, user=admin_a, template=other, safety_check="Skip").pk)
    return {"old": old.pk, "running": running.pk, "by_admin": by_admin.pk}


def test_filters_by_date_range_person_and_search(operator_a, admin_a, runs, client_as):
    client = client_as(operator_a)
    assert ids_in(client.get("/console/executions/")) == set(runs.values())
    today = timezone.localdate().isoformat()
    assert ids_in(client.get("/console/executions/", {"since": today})) == {runs["running"], runs["by_admin"]}
    ten_days_ago = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert ids_in(client.get("/console/executions/", {"until": ten_days_ago})) == {runs["old"]}
    assert ids_in(client.get("/console/executions/", {"by": admin_a.username})) == {runs["by_admin"]}
    assert ids_in(client.get("/console/executions/", {"q": "BACKUP"})) == {runs["by_admin"]}
    assert ids_in(client.get("/console/executions/", {"q": runs["old"]})) == {runs["old"]}
    empty = client.get("/console/executions/", {"by": "nobody"}).content.decode()
    assert "No executions match these filters." in empty
    page = client.get("/console/executions/").content.decode()
    assert f'<option value="{admin_a.username}">' in page  # who may have started runs, as suggestions


@pytest.mark.parametrize("query, message", [
    ({"since": "2026-13-45"}, "Enter a valid date."),
    ({"since": "2026-05-02", "until": "2026-05-01"}, "The end date is before the start date."),
    ({"q": "x" * 300}, "at most 200 characters"),
    ({"status": "Exploded"}, "Select a valid choice."),
])
def test_bad_filters_are_explained_not_a_500(operator_a, runs, client_as, query, message):
    response = client_as(operator_a).get("/console/executions/", query)
    assert response.status_code == 400 and message in response.content.decode()


def test_bulk_cancel_and_delete(operator_a, runs, client_as):
    client = client_as(operator_a)
    response = client.post("/console/executions/bulk/", {"action": "cancel", "ids": [runs["running"], runs["old"]],
                                                          "query": "by=oscar"})
    assert response.status_code == 302 and response["Location"] == "/console/executions/?by=oscar"
    assert drive(runs["running"]).status == ExecutionStatus.CANCELLED
    assert "Asked 1 execution to cancel." in client.get(response["Location"]).content.decode()
    response = client.post("/console/executions/bulk/", {"action": "delete", "ids": [runs["running"], runs["old"]]})
    assert response.status_code == 302
    assert set(Execution.objects.values_list("pk", flat=True)) == {runs["by_admin"]}
    assert AuditEvent.objects.filter(action="execution-bulk.delete", result="success").exists()


def test_bulk_refusals(operator_a, viewer_a, runs, tenant_b, admin_b, client_as):
    client = client_as(operator_a)
    theirs = service.start_execution(
        tenant=tenant_b, user=admin_b, safety_check="Skip",
        template=create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=RUNBOOK),
        parameters={"Target": "vm-1"})
    before = Execution.objects.count()
    assert client.post("/console/executions/bulk/", {"action": "delete", "ids": [runs["old"], theirs.pk]}
                       ).status_code == 404
    assert client.post("/console/executions/bulk/", {"action": "cancel", "ids": [theirs.pk]}).status_code == 404
    running = client.post("/console/executions/bulk/", {"action": "delete", "ids": [runs["running"]]})
    assert running.status_code == 409 and "cancel it before deleting it" in running.content.decode()
    assert client.post("/console/executions/bulk/", {"action": "explode", "ids": [runs["old"]]}).status_code == 400
    assert client.post("/console/executions/bulk/", {"action": "delete"}).status_code == 400
    assert client.get("/console/executions/bulk/").status_code == 405
    assert client_as(viewer_a).post("/console/executions/bulk/", {"action": "delete", "ids": [runs["old"]]}
                                    ).status_code == 403
    assert 'name="ids"' not in client_as(viewer_a).get("/console/executions/").content.decode()
    assert Execution.objects.count() == before
    assert Execution.objects.get(pk=theirs.pk).status != ExecutionStatus.CANCELLED


def test_sidebar_badge_counts_waiting_approvals(operator_a, tenant_a, client_as):
    client = client_as(operator_a)
    assert "nav-badge" not in client.get("/console/").content.decode()
    runbook = create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    for target in ("vm-1", "vm-2"):
        drive(service.start_execution(tenant=tenant_a, user=operator_a, template=runbook,
                                      parameters={"Target": target}).pk)
    page = client.get("/console/templates/").content.decode()
    assert re.search(r'Approvals <span class="nav-badge" title="2 waiting">2</span>', page)
