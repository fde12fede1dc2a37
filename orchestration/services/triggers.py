"""Timer triggers: create, change, delete, and fire the due ones.

Each firing of a tenant's trigger starts an ordinary execution with trigger ``Timer``,
run as the trigger's owner (whose role must still allow running). ``Template.has_trigger``
mirrors whether any enabled trigger points at the template.

An execution whose first task is ``ACS::TimerTrigger`` arms a trigger of its own
(:func:`arm_execution_timer`); as OOS documents it, each fire starts a child execution of
the same template and parameters that skips the trigger task, while the parent waits
between fires and ends when the schedule does. A fire that comes while the previous run
is still going is skipped (recorded in ``last_error``), so runs never overlap.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from croniter import CroniterBadCronError, croniter
from django.db import transaction
from django.utils import timezone

from orchestration.authorization import SYSTEM
from orchestration.engine.dispatch import enqueue
from orchestration.engine.endings import wake_parent
from orchestration.errors import InvalidParameter, ServiceError
from orchestration.models import (
    FINISHED_STATUSES,
    TASK_FINISHED_STATUSES,
    Execution,
    Mode,
    TaskExecution,
    TimerTrigger,
    Trigger,
)
from orchestration.services.executions import start_execution
from orchestration.services.timer_expressions import TimerSchedule, next_fire
from templates_app.models import Template

logger = logging.getLogger(__name__)

TIMER_ACTION = "ACS::TimerTrigger"


def schedule_of(trigger: TimerTrigger) -> TimerSchedule:
    return TimerSchedule(cron=trigger.cron, interval_seconds=trigger.interval_seconds, run_at=trigger.run_at,
                         time_zone=trigger.time_zone or "UTC", start_at=trigger.start_at, end_at=trigger.end_at)


def next_run(trigger: TimerTrigger, after: dt.datetime) -> dt.datetime | None:
    """The trigger's first run after ``after``; a rate counts from its start (or its creation)."""
    return next_fire(schedule_of(trigger), after, anchor=trigger.created_at or after)


def check_schedule(cron: str, run_at: dt.datetime | None, *, enabled: bool = True) -> None:
    """A cron expression or a one-off time; a one-off time still to come while enabled.

    A disabled one-off trigger (for instance one that has already fired) may keep its
    past time, so it can still be renamed or looked at; enabling it needs a new time.
    """
    if bool(cron) == bool(run_at):
        raise InvalidParameter("cron", "give either a cron expression or a one-off run_at time")
    if cron:
        try:
            croniter(cron)
        except (CroniterBadCronError, ValueError, KeyError) as exc:
            raise InvalidParameter("cron", f"{cron!r} is not a cron expression: {exc}") from exc
    if enabled and run_at is not None and run_at <= timezone.now():
        raise InvalidParameter("run_at", "must be in the future")


def check_trigger(*, cron: str, run_at: dt.datetime | None, enabled: bool, template, tenant) -> None:
    """Every rule a tenant's trigger must meet before it is saved (forms call this to place errors)."""
    check_schedule(cron, run_at, enabled=enabled)
    if template is None:
        raise InvalidParameter("template", "required: the template the trigger runs")
    if template is not None and tenant is not None and template.tenant_id not in (None, tenant.pk):
        raise InvalidParameter("template", "the template belongs to another tenant")


def refresh_has_trigger(template: Template | None) -> None:
    if template is None:
        return
    has = TimerTrigger.objects.filter(template=template, enabled=True).exists()
    Template.objects.filter(pk=template.pk).update(has_trigger=has)


def save_trigger(trigger: TimerTrigger) -> TimerTrigger:
    """Validate and store a new or changed trigger, computing its next run."""
    check_trigger(cron=trigger.cron, run_at=trigger.run_at, enabled=trigger.enabled, template=trigger.template,
                  tenant=trigger.tenant)
    trigger.next_run_at = next_run(trigger, timezone.now()) if trigger.enabled else None
    with transaction.atomic():
        trigger.save()
        refresh_has_trigger(trigger.template)
    return trigger


def delete_trigger(trigger: TimerTrigger) -> None:
    template = trigger.template
    with transaction.atomic():
        trigger.delete()
        refresh_has_trigger(template)


def fire(trigger_id: int) -> None:
    """Start the execution of one due trigger and schedule its next run."""
    with transaction.atomic():
        trigger = (
            TimerTrigger.objects.select_for_update(skip_locked=True, of=("self",))  # template/owner may be null
            .select_related("template", "tenant", "owner")
            .filter(pk=trigger_id, enabled=True, next_run_at__lte=timezone.now())
            .first()
        )
        if trigger is None:
            return
        now = timezone.now()
        fields = _fire_execution_timer(trigger, now) if trigger.execution_id else _fire_template(trigger, now)
        # A one-off trigger (run_at) has fired its one run, even when fired early by hand.
        ended = fields.get("enabled") is False or trigger.run_at is not None
        following = None if ended else next_run(trigger, now)
        fields["next_run_at"] = following
        if following is None:
            fields["enabled"] = False
        for key, value in fields.items():
            setattr(trigger, key, value)
        trigger.save(update_fields=list(fields))
        if following is None:
            refresh_has_trigger(trigger.template)
            if trigger.execution_id:
                _wake_owner(trigger.execution, now)


def _fire_template(trigger: TimerTrigger, now: dt.datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {"last_run_at": now}
    try:
        execution = start_execution(
            tenant=trigger.tenant,
            user=trigger.owner,
            template=trigger.template,
            version=trigger.template_version or None,
            parameters=trigger.parameters,
            mode=trigger.mode,
            loop_mode=trigger.loop_mode,
            safety_check=trigger.safety_check,
            trigger=Trigger.TIMER,
            description=f"Timer trigger {trigger.name}",
        )
        fields.update(last_execution=execution, last_error="")
    except ServiceError as exc:
        fields["last_error"] = exc.message
        logger.warning("timer trigger %s could not start: %s", trigger.pk, exc.message)
    return fields


def _fire_execution_timer(trigger: TimerTrigger, now: dt.datetime) -> dict[str, Any]:
    """One fire of an execution's own timer: a child run of its template, unless one still runs."""
    parent = Execution.objects.select_related("tenant", "template", "project").get(pk=trigger.execution_id)
    fields: dict[str, Any] = {"last_run_at": now}
    if parent.is_finished or parent.cancel_requested:
        fields.update(enabled=False, last_error=f"execution {parent.pk} has ended")
        return fields
    timer_task = _timer_task(parent)
    running = Execution.objects.filter(parent=parent).exclude(status__in=FINISHED_STATUSES).first()
    if timer_task is None or running is not None:
        fields["last_error"] = (f"skipped the run due at {now:%Y-%m-%d %H:%M:%S} UTC: "
                                f"{running.pk if running else 'the timer task'} is still running")
        return fields
    try:
        child = start_execution(
            tenant=parent.tenant, user=SYSTEM, executed_by=parent.executed_by,
            template=parent.template, version=parent.template_version if parent.template_id else None,
            template_content=None if parent.template_id else parent.template_content,
            template_name=parent.template_name, parameters=parent.parameters,
            mode=Mode.AUTOMATIC if parent.mode == Mode.DEBUG else parent.mode,
            loop_mode=parent.loop_mode, safety_check=parent.safety_check, trigger=Trigger.TIMER,
            description=f"Timer run of {parent.pk}", parent=parent, parent_task_execution=timer_task,
            project=parent.project,
        )
    except ServiceError as exc:
        fields["last_error"] = exc.message
        return fields
    TaskExecution.objects.filter(pk=timer_task.pk).update(child_execution=child)
    wake_parent(child, now)  # the parent shows Running while its run goes
    fields.update(last_execution=child, last_error="")
    return fields


def _timer_task(parent: Execution) -> TaskExecution | None:
    return (TaskExecution.objects.filter(execution=parent, parent_task_execution__isnull=True, task_action=TIMER_ACTION)
            .exclude(status__in=TASK_FINISHED_STATUSES).first())


def _wake_owner(parent: Execution, now: dt.datetime) -> None:
    """The schedule is over: have the timer task look (it ends once no run is going)."""
    task = _timer_task(parent)
    if task is not None:
        TaskExecution.objects.filter(pk=task.pk).update(wake_at=now)
        Execution.objects.filter(pk=parent.pk).update(wake_at=now)
        transaction.on_commit(lambda: enqueue(parent.pk))


def arm_execution_timer(execution: Execution, schedule: TimerSchedule, now: dt.datetime) -> TimerTrigger:
    """The timer of an execution's ``ACS::TimerTrigger`` task, armed for its first run."""
    trigger = TimerTrigger(
        tenant_id=execution.tenant_id, execution=execution, template_id=execution.template_id,
        template_version=execution.template_version, name=f"{execution.pk} timer"[:128], cron=schedule.cron,
        run_at=schedule.run_at, interval_seconds=schedule.interval_seconds,
        time_zone="" if schedule.time_zone == "UTC" else schedule.time_zone,
        start_at=schedule.start_at or (now if schedule.interval_seconds else None),  # a rate counts from here
        end_at=schedule.end_at, parameters=execution.parameters, mode=execution.mode,
        loop_mode=execution.loop_mode, safety_check=execution.safety_check,
    )
    trigger.next_run_at = next_fire(schedule, now, anchor=now)
    trigger.enabled = trigger.next_run_at is not None
    trigger.save()
    return trigger


def disarm_execution_timer(trigger_id: int | None) -> None:
    TimerTrigger.objects.filter(pk=trigger_id).update(enabled=False, next_run_at=None)


def fire_due_triggers(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(
        TimerTrigger.objects.filter(enabled=True, next_run_at__lte=now).values_list("pk", flat=True)[:100]
    )
    for trigger_id in due:
        fire(trigger_id)
    return len(due)
