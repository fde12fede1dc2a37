"""Django admin for executions (read-only, with cancel and approve actions) and timer triggers."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orchestration.admin import ROW_LIMIT
from orchestration.models import Execution, ExecutionLog, TaskExecution, TimerTrigger

from .conftest import APPROVAL, SIMPLE, drive

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orchestration_execution_changelist"


def test_changelist_and_change_page(client, admin_a, started):
    done = started(SIMPLE)
    client.force_login(admin_a)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert done.pk in page and done.template_name in page
    assert client.get(reverse(CHANGELIST), {"status__exact": "Success", "q": "exec-"}).status_code == 200
    change = client.get(reverse("admin:orchestration_execution_change", args=[done.pk]))
    assert change.status_code == 200
    html = change.content.decode()
    assert f"{done.pk}.t0001" in html and f"{done.pk}.t0002" in html  # task executions inline
    last_log = ExecutionLog.objects.filter(execution=done).order_by("id").last()
    assert last_log.message in html
    assert f"/api/v1/executions/{done.pk}/logs/" in html
    assert 'name="_save"' not in html  # read-only
    assert client.get(reverse("admin:orchestration_execution_add")).status_code == 403


def test_change_page_shows_the_newest_rows_oldest_first_escaped(client, superuser, started,
                                                                 django_assert_max_num_queries):
    done = started(SIMPLE)
    now = timezone.now()
    ExecutionLog.objects.bulk_create(
        ExecutionLog(execution=done, created_at=now, message=f"line {i:04d}") for i in range(ROW_LIMIT + 50)
    )
    ExecutionLog.objects.create(execution=done, created_at=now, message="<script>alert(1)</script>")
    TaskExecution.objects.filter(execution=done).update(status_message="<b>bold</b>")
    client.force_login(superuser)
    url = reverse("admin:orchestration_execution_change", args=[done.pk])
    with django_assert_max_num_queries(12):  # the same for 150 lines as for a million: tables are LIMITed
        html = client.get(url).content.decode()
    assert "line 0050" not in html and "line 0051" in html  # the newest 50 lines (the script line is one)
    assert html.index("line 0051") < html.index(f"line {ROW_LIMIT + 49:04d}") < html.index("&lt;script&gt;")
    assert "<script>alert(1)</script>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    total = ExecutionLog.objects.filter(execution=done).count()
    assert f"{total} lines; the newest {ROW_LIMIT} are below" in html
    assert html.index(f"{done.pk}.t0001") < html.index(f"{done.pk}.t0002")  # tasks in run order


def test_tenant_admin_sees_only_own_executions(client, admin_b, started, tenant_a):
    mine = started(SIMPLE)
    client.force_login(admin_b)
    assert mine.pk not in client.get(reverse(CHANGELIST)).content.decode()
    assert client.get(reverse("admin:orchestration_execution_change", args=[mine.pk])).status_code == 302


def test_cancel_action(client, admin_a, started):
    waiting = started(APPROVAL)
    done = started(SIMPLE)
    client.force_login(admin_a)
    response = client.post(reverse(CHANGELIST), {"action": "cancel_executions", "_selected_action": [waiting.pk,
                                                 done.pk]}, follow=True)
    assert response.status_code == 200
    assert "Cancel requested for 1 execution" in response.content.decode()
    assert Execution.objects.get(pk=waiting.pk).cancel_requested is True
    assert drive(waiting).status == "Cancelled"


def test_approve_action(client, admin_a, started):
    waiting = started(APPROVAL)
    client.force_login(admin_a)
    response = client.post(reverse(CHANGELIST), {"action": "approve_waiting_tasks",
                                                 "_selected_action": [waiting.pk]}, follow=True)
    assert "Approved the waiting tasks of 1 execution" in response.content.decode()
    assert drive(waiting).status == "Success"


def test_timer_trigger_admin_uses_the_service(client, admin_a, tenant_a, make_template):
    template = make_template(SIMPLE)
    client.force_login(admin_a)
    add = reverse("admin:orchestration_timertrigger_add")
    form = {"tenant": tenant_a.pk, "template": template.pk, "template_version": "", "name": "nightly",
            "cron": "bad cron", "run_at_0": "", "run_at_1": "", "parameters": "{}", "mode": "Automatic",
            "loop_mode": "Automatic", "safety_check": "Skip", "enabled": "on"}
    response = client.post(add, form)
    assert response.status_code == 200 and "is not a cron expression" in response.content.decode()
    past = timezone.now() - dt.timedelta(days=1)
    response = client.post(add, {**form, "cron": "", "run_at_0": past.date().isoformat(), "run_at_1": "10:00:00"})
    assert response.status_code == 200 and "must be in the future" in response.content.decode()
    assert not TimerTrigger.objects.exists()
    response = client.post(add, {**form, "cron": "0 3 * * *"})
    assert response.status_code == 302, response.content.decode()[:3000]
    trigger = TimerTrigger.objects.get()
    assert trigger.owner == admin_a and trigger.next_run_at is not None
    template.refresh_from_db()
    assert template.has_trigger is True
    change = reverse("admin:orchestration_timertrigger_change", args=[trigger.pk])
    assert client.get(change).status_code == 200
    delete = reverse("admin:orchestration_timertrigger_delete", args=[trigger.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    template.refresh_from_db()
    assert not TimerTrigger.objects.exists() and template.has_trigger is False
