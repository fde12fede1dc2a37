"""ACS::TimerTrigger: the execution waits, each fire runs the rest of the template as a child."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from orchestration.engine.runner import advance
from orchestration.errors import Conflict
from orchestration.models import Execution, TaskExecution, TimerTrigger
from orchestration.services import triggers
from orchestration.services.executions import cancel_execution, notify_execution, start_execution

from .conftest import drive, tpl
from .workers import Processes, wait_for


def settle(execution: Execution) -> Execution:
    """Advance what is due now (a waiting timer's next wake-up is a day away: do not wait for it)."""
    advance(execution.pk)
    return Execution.objects.get(pk=execution.pk)


IN_A_DAY = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def timer_template(end_date: str, expression: str = "0/3 * * ? * *", after: dict | None = None) -> dict:
    return tpl(
        {"Name": "timer", "Action": "ACS::TimerTrigger",
         "Properties": {"Type": "cron", "Expression": expression, "EndDate": end_date, "TimeZone": "Asia/Shanghai"}},
        after or {"Name": "work", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}},
        outputs={"who": {"Type": "String", "Value": "{{ work.who }}"}} if after else None,
    )


@pytest.mark.django_db
def test_a_fire_runs_the_rest_as_a_child_and_the_parent_waits_again(tenant_a, operator_a, make_template):
    record = {"Name": "work", "Action": "Test::Record", "Properties": {"Value": "{{ who }}"},
              "Outputs": {"who": {"ValueSelector": ".Value", "Type": "String"}}}
    # Daily at an hour twelve hours away (fired by hand below), so the wall clock never makes it due.
    far_hour = (timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).hour + 12) % 24
    body = timer_template(IN_A_DAY, expression=f"0 0 {far_hour} ? * *", after=record)
    body["Parameters"] = {"who": {"Type": "String", "Default": "nobody"}}
    execution = start_execution(tenant=tenant_a, user=operator_a, template=make_template(body),
                                parameters={"who": "cron"})
    parent = settle(execution)
    assert parent.status == "Waiting" and parent.status_reason == "Waiting"
    timer = TimerTrigger.objects.get(execution=parent)
    assert timer.enabled and timer.next_run_at > timezone.now() and timer.time_zone == "Asia/Shanghai"
    assert not TimerTrigger.objects.standalone().filter(pk=timer.pk).exists()  # not a tenant's trigger

    TimerTrigger.objects.filter(pk=timer.pk).update(next_run_at=timezone.now())
    assert triggers.fire_due_triggers() == 1
    child = Execution.objects.get(parent=parent)
    assert child.trigger == "Timer" and child.parameters == {"who": "cron"}
    assert settle(parent).status == "Running"
    child = drive(child)
    assert child.status == "Success" and child.outputs == {"who": "cron"}
    statuses = dict(TaskExecution.objects.filter(execution=child).values_list("task_name", "status"))
    assert statuses == {"timer": "Skipped", "work": "Success"}
    parent = settle(parent)
    assert parent.status == "Waiting"
    assert not TaskExecution.objects.filter(execution=parent, task_name="work").exists()

    with pytest.raises(Conflict, match="no task execution waiting for this notification"):
        notify_execution(parent, operator_a, "Approve", task_name="timer")  # nobody approves a timer
    cancel_execution(parent, operator_a)
    parent = drive(parent)
    assert parent.status == "Cancelled"
    assert TimerTrigger.objects.get(pk=timer.pk).enabled is False


@pytest.mark.django_db
def test_a_timer_whose_end_has_passed_fails_with_why(tenant_a, operator_a, make_template):
    execution = start_execution(tenant=tenant_a, user=operator_a,
                                template=make_template(timer_template("2020-12-29T09:19:30Z")))
    execution = drive(execution)
    assert execution.status == "Failed"
    assert "would never run" in execution.status_message


@pytest.mark.django_db
def test_a_timer_in_a_nested_template_is_refused(tenant_a, operator_a, make_template):
    inner = make_template(timer_template(IN_A_DAY), name="with-timer")
    outer = make_template(tpl({"Name": "nest", "Action": "ACS::Template", "Properties": {"TemplateName": inner.name}}))
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=outer))
    assert execution.status == "Failed"
    child = Execution.objects.get(parent=execution)
    assert "cannot run in a nested template" in child.status_message


@pytest.fixture
def processes():
    procs = Processes()
    yield procs
    procs.stop_all()


@pytest.mark.django_db(transaction=True)
def test_timer_runs_on_schedule_on_real_workers_until_its_end(tenant_a, operator_a, make_template, processes):
    """Every 3 s (Quartz cron, in a zone) for about 8 s: two or three child runs, then Success."""
    processes.start_worker()
    processes.start_ticker()
    warm_up = start_execution(tenant=tenant_a, user=operator_a, template=make_template(tpl(
        {"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}})))
    wait_for(lambda: Execution.objects.get(pk=warm_up.pk).is_finished, timeout=60, what="workers are up")
    end = (timezone.now() + dt.timedelta(seconds=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    execution = start_execution(tenant=tenant_a, user=operator_a, template=make_template(timer_template(end)))
    wait_for(lambda: Execution.objects.get(pk=execution.pk).status == "Waiting", timeout=5, what="parent waits")
    done = wait_for(lambda: (e := Execution.objects.get(pk=execution.pk)).is_finished and e, timeout=30,
                    what="parent finishes")
    assert done.status == "Success", done.status_message
    runs = list(Execution.objects.filter(parent=done).order_by("created_at"))
    assert 2 <= len(runs) <= 3, [r.pk for r in runs]
    assert all(run.status == "Success" and run.trigger == "Timer" for run in runs)
    starts = [run.created_at for run in runs]
    assert all(2.0 <= (b - a).total_seconds() <= 4.5 for a, b in zip(starts, starts[1:], strict=False)), starts
    timer_te = TaskExecution.objects.get(execution=done, task_name="timer")
    assert timer_te.status == "Success" and timer_te.extra["action"]["trigger"]
    assert TimerTrigger.objects.get(execution=done).enabled is False


@pytest.mark.django_db
def test_a_rate_timer_counts_its_periods_from_the_start(tenant_a, operator_a, make_template):
    body = tpl({"Name": "timer", "Action": "ACS::TimerTrigger",
                "Properties": {"Type": "rate", "Expression": "2 hours", "EndDate": IN_A_DAY}},
               {"Name": "work", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}})
    parent = settle(start_execution(tenant=tenant_a, user=operator_a, template=make_template(body)))
    timer = TimerTrigger.objects.get(execution=parent)
    assert timer.interval_seconds == 7200 and timer.next_run_at == timer.start_at + dt.timedelta(hours=2)
    TimerTrigger.objects.filter(pk=timer.pk).update(next_run_at=timezone.now())
    triggers.fire_due_triggers()
    timer.refresh_from_db()
    assert timer.next_run_at == timer.start_at + dt.timedelta(hours=2)  # fired early: the next period stands
