"""A template's schedules in the console: create (cron or once), next fire times, pause, resume, delete."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from orchestration.authorization import SYSTEM
from orchestration.models import AuditEvent, TimerTrigger
from orchestration.services import triggers as trigger_service
from templates_app.models import Template
from templates_app.services.templates import create_template
from tests.console.conftest import RUNBOOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def runbook(tenant_a):
    return create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)


def new(client, template, **fields):
    data = {"name": "nightly", "kind": "cron", "cron": "", "run_at": "", "mode": "Automatic",
            "safety_check": "ConfirmEveryHighRiskAction", "loop_mode": "Automatic", "param-Target": "vm-3"}
    data.update(fields)
    return client.post(f"/console/templates/{template.pk}/schedules/new/", data)


def test_create_a_cron_schedule_and_see_its_next_runs(operator_a, runbook, client_as):
    client = client_as(operator_a)
    form = client.get(f"/console/templates/{runbook.pk}/schedules/new/").content.decode()
    assert 'name="param-Target"' in form and 'type="datetime-local"' in form
    response = new(client, runbook, cron="30 2 * * *")
    assert response.status_code == 302 and response["Location"].endswith(f"/templates/{runbook.pk}/#schedules")
    trigger = TimerTrigger.objects.get()
    assert (trigger.cron, trigger.parameters, trigger.owner) == ("30 2 * * *", {"Target": "vm-3"}, operator_a)
    assert Template.objects.get(pk=runbook.pk).has_trigger
    page = client.get(f"/console/templates/{runbook.pk}/").content.decode()
    runs = re.findall(r'<time datetime="[^"]+" title="(\d{4}-\d\d-\d\d \d\d:\d\d) UTC">', page)
    assert len(runs) == 3 and all(r.endswith("02:30") for r in runs) and runs == sorted(runs)
    assert AuditEvent.objects.filter(action="template-schedule-create", result="success").exists()


def test_create_a_one_off_schedule(operator_a, runbook, client_as):
    when = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    response = new(client_as(operator_a), runbook, kind="once", run_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    trigger = TimerTrigger.objects.get()
    assert trigger.cron == "" and trigger.run_at == when == trigger.next_run_at


@pytest.mark.parametrize("fields, message", [
    ({"cron": "61 * * * *"}, "is not a cron expression"),
    ({"cron": "every day"}, "is not a cron expression"),
    ({"cron": ""}, "Give a cron expression, or choose Once."),
    ({"kind": "once", "run_at": "2001-01-01T00:00"}, "must be in the future"),
    ({"kind": "once", "run_at": "tomorrow"}, "Enter a valid date/time."),
    ({"kind": "once"}, "Give the date and time to run at"),
    ({"cron": "0 3 * * *", "param-Target": "db-1"}, "does not match AllowedPattern"),
    ({"cron": "0 3 * * *", "name": ""}, "This field is required."),
    ({"cron": "0 3 * * *", "kind": "sometimes"}, "Select a valid choice."),
])
def test_bad_schedules_are_refused_beside_the_field(operator_a, runbook, client_as, fields, message):
    response = new(client_as(operator_a), runbook, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TimerTrigger.objects.exists()


def test_pause_resume_and_delete(operator_a, runbook, client_as):
    client = client_as(operator_a)
    new(client, runbook, cron="0 * * * *")
    trigger = TimerTrigger.objects.get()
    act = f"/console/templates/{runbook.pk}/schedules/{trigger.pk}/act/"
    assert client.post(act, {"action": "pause"}).status_code == 302
    trigger.refresh_from_db()
    assert not trigger.enabled and trigger.next_run_at is None
    assert not Template.objects.get(pk=runbook.pk).has_trigger
    page = client.get(f"/console/templates/{runbook.pk}/").content.decode()
    assert ">Paused</span>" in page and 'value="resume"' in page
    client.post(act, {"action": "resume"})
    trigger.refresh_from_db()
    assert trigger.enabled and trigger.next_run_at > timezone.now()
    assert client.post(act, {"action": "explode"}).status_code == 400
    assert client.post(act, {"action": "delete"}).status_code == 302
    assert not TimerTrigger.objects.exists()
    assert client.post(act, {"action": "pause"}).status_code == 404


def test_resuming_a_spent_one_off_is_a_clear_error(operator_a, runbook, client_as):
    trigger = trigger_service.save_trigger(TimerTrigger(
        tenant=runbook.tenant, template=runbook, name="once", run_at=timezone.now() + dt.timedelta(hours=1),
        parameters={"Target": "vm-1"}, owner=operator_a))
    TimerTrigger.objects.filter(pk=trigger.pk).update(enabled=False, run_at=timezone.now() - dt.timedelta(hours=1))
    response = client_as(operator_a).post(f"/console/templates/{runbook.pk}/schedules/{trigger.pk}/act/",
                                          {"action": "resume"})
    assert response.status_code == 400 and "must be in the future" in response.content.decode()


def test_viewer_and_other_tenant_cannot_touch_schedules(operator_a, viewer_a, admin_b, runbook, tenant_b,
                                                        client_as):
    new(client_as(operator_a), runbook, cron="0 * * * *")
    trigger = TimerTrigger.objects.get()
    act = f"/console/templates/{runbook.pk}/schedules/{trigger.pk}/act/"
    viewer = client_as(viewer_a)
    assert "New schedule" not in viewer.get(f"/console/templates/{runbook.pk}/").content.decode()
    assert viewer.get(f"/console/templates/{runbook.pk}/schedules/new/").status_code == 403
    assert viewer.post(act, {"action": "delete"}).status_code == 404
    other = client_as(admin_b)
    assert other.get(f"/console/templates/{runbook.pk}/schedules/new/").status_code == 404
    assert other.post(act, {"action": "delete"}).status_code == 404
    theirs = create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=RUNBOOK)
    through_own = f"/console/templates/{theirs.pk}/schedules/{trigger.pk}/act/"
    assert other.post(through_own, {"action": "delete"}).status_code == 404
    assert TimerTrigger.objects.filter(pk=trigger.pk, enabled=True).exists()
