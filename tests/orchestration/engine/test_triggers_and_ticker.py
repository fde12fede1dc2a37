"""Timer triggers and the ticker that turns due wake-ups into queued work."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from orchestration.engine import leases, ticker
from orchestration.errors import InvalidParameter
from orchestration.models import Execution, TimerTrigger
from orchestration.services import triggers
from orchestration.services.executions import start_execution

from .conftest import tpl

pytestmark = pytest.mark.django_db

BODY = tpl({"Name": "x", "Action": "Test::Record", "Properties": {"Value": "{{ Who }}"}},
           parameters={"Who": {"Type": "String", "Default": "timer"}})


def make_trigger(tenant, owner, template, **fields) -> TimerTrigger:
    return triggers.save_trigger(TimerTrigger(tenant=tenant, owner=owner, template=template, name="nightly", **fields))


def test_cron_trigger_fires_timer_executions(tenant_a, operator_a, make_template):
    template = make_template(BODY)
    trigger = make_trigger(tenant_a, operator_a, template, cron="*/5 * * * *", parameters={"Who": "cron"})
    template.refresh_from_db()
    assert template.has_trigger is True
    assert trigger.next_run_at > timezone.now()
    TimerTrigger.objects.filter(pk=trigger.pk).update(next_run_at=timezone.now() - dt.timedelta(seconds=1))
    assert triggers.fire_due_triggers() == 1
    execution = Execution.objects.get(template=template)
    assert execution.trigger == "Timer" and execution.parameters == {"Who": "cron"}
    trigger.refresh_from_db()
    assert trigger.last_execution == execution and trigger.next_run_at > timezone.now()
    assert triggers.fire_due_triggers() == 0  # not due again yet


def test_one_off_trigger_disables_itself(tenant_a, operator_a, make_template):
    template = make_template(BODY)
    trigger = make_trigger(tenant_a, operator_a, template, run_at=timezone.now() + dt.timedelta(hours=1))
    TimerTrigger.objects.filter(pk=trigger.pk).update(next_run_at=timezone.now())
    triggers.fire_due_triggers()
    trigger.refresh_from_db()
    template.refresh_from_db()
    assert trigger.enabled is False and trigger.next_run_at is None
    assert template.has_trigger is False


def test_bad_schedules_are_refused(tenant_a, operator_a, make_template):
    template = make_template(BODY)
    with pytest.raises(InvalidParameter, match="not a cron expression"):
        make_trigger(tenant_a, operator_a, template, cron="every monday")
    with pytest.raises(InvalidParameter, match="either"):
        make_trigger(tenant_a, operator_a, template)
    with pytest.raises(InvalidParameter, match="future"):
        make_trigger(tenant_a, operator_a, template, run_at=timezone.now() - dt.timedelta(minutes=1))


def test_ticker_queues_due_executions_once(tenant_a, operator_a, make_template):
    execution = start_execution(tenant=tenant_a, user=operator_a, template=make_template(BODY))
    before = OrmQ.objects.count()
    assert ticker.tick() == 1
    assert OrmQ.objects.count() == before + 1
    assert ticker.tick() == 0  # re-armed a few seconds ahead: not queued twice
    execution.refresh_from_db()
    # ...and queued again that soon if the message is lost (not after a whole lease).
    assert timezone.now() + dt.timedelta(seconds=leases.REQUEUE_SECONDS - 5) < execution.wake_at
    assert execution.wake_at <= timezone.now() + dt.timedelta(seconds=leases.REQUEUE_SECONDS)


def test_ticker_recovers_an_execution_whose_worker_died(tenant_a, operator_a, make_template):
    execution = start_execution(tenant=tenant_a, user=operator_a, template=make_template(BODY))
    past = timezone.now() - dt.timedelta(seconds=5)
    # A worker took the lease and died: the lease and the wake-up it set have passed.
    Execution.objects.filter(pk=execution.pk).update(lease_owner="dead-worker", lease_expires_at=past, wake_at=past)
    assert ticker.tick() == 1
    from orchestration.engine.runner import advance

    advance(execution.pk)
    execution.refresh_from_db()
    assert execution.status == "Success"
    assert execution.lease_owner == ""


def test_a_fired_one_off_trigger_can_still_be_edited(tenant_a, operator_a, make_template):
    template = make_template(BODY)
    trigger = make_trigger(tenant_a, operator_a, template, run_at=timezone.now() + dt.timedelta(hours=1))
    TimerTrigger.objects.filter(pk=trigger.pk).update(next_run_at=timezone.now(),
                                                      run_at=timezone.now() - dt.timedelta(minutes=1))
    triggers.fire_due_triggers()
    trigger.refresh_from_db()
    trigger.name = "renamed after it fired"
    triggers.save_trigger(trigger)  # disabled, past time: fine
    trigger.enabled = True
    with pytest.raises(InvalidParameter, match="future"):
        triggers.save_trigger(trigger)


def test_ticker_fires_registered_schedules_on_time():
    from django_q.models import Schedule

    ticker.run_schedules_precisely("vsphere.tasks.sync_vcenter_tasks")
    schedule = Schedule.objects.create(
        name="precise", func="vsphere.tasks.sync_vcenter_tasks", args="42", schedule_type=Schedule.CRON,
        cron="* * * * * */10", repeats=-1,
    )
    other = Schedule.objects.create(name="coarse", func="math.floor", args="1.5", schedule_type=Schedule.MINUTES,
                                    minutes=1, repeats=-1)
    # Both due a second ago (creating a cron schedule computes its own next run).
    Schedule.objects.filter(pk__in=[schedule.pk, other.pk]).update(next_run=timezone.now() - dt.timedelta(seconds=1))
    before = OrmQ.objects.count()
    assert ticker.fire_due_schedules() == 1
    assert OrmQ.objects.count() == before + 1
    schedule.refresh_from_db()
    assert timezone.now() < schedule.next_run <= timezone.now() + dt.timedelta(seconds=10)
    assert ticker.fire_due_schedules() == 0
    other.refresh_from_db()
    assert other.next_run < timezone.now()  # left to django-q2's own scheduler


def test_a_look_takes_only_what_is_due_and_an_idle_look_writes_nothing(
        tenant_a, operator_a, make_template, django_assert_max_num_queries):
    template = make_template(BODY)
    trigger = make_trigger(tenant_a, operator_a, template, cron="*/5 * * * *")
    execution = start_execution(tenant=tenant_a, user=operator_a, template=template)
    Execution.objects.filter(pk=execution.pk).update(wake_at=timezone.now() + dt.timedelta(minutes=1))
    queued = OrmQ.objects.count()
    # Nothing due: the three due times and the event check, no transaction, nothing queued.
    with django_assert_max_num_queries(5):
        due = ticker.look()
    assert due is not None and due <= trigger.next_run_at and OrmQ.objects.count() == queued
    # The execution becomes due: it is queued, the trigger (not due) is left alone.
    Execution.objects.filter(pk=execution.pk).update(wake_at=timezone.now() - dt.timedelta(seconds=1))
    due = ticker.look()
    assert OrmQ.objects.count() == queued + 1
    assert not Execution.objects.filter(template=template, trigger="Timer").exists()
    assert due <= timezone.now() + dt.timedelta(seconds=leases.REQUEUE_SECONDS)  # the re-armed wake-up
    # The trigger becomes due: it fires.
    TimerTrigger.objects.filter(pk=trigger.pk).update(next_run_at=timezone.now() - dt.timedelta(seconds=1))
    ticker.look()
    assert Execution.objects.filter(template=template, trigger="Timer").count() == 1
