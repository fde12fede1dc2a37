"""Timer triggers: create, change, delete, and fire the due ones.

Each firing starts an ordinary execution with trigger ``Timer``, run as the
trigger's owner (whose role must still allow running). ``Template.has_trigger``
mirrors whether any enabled trigger points at the template.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from croniter import CroniterBadCronError, croniter
from django.db import transaction
from django.utils import timezone

from orchestration.errors import InvalidParameter, ServiceError
from orchestration.models import TimerTrigger, Trigger
from orchestration.services.executions import start_execution
from templates_app.language.parameters import resolve_parameters
from templates_app.language.problems import ParametersInvalid
from templates_app.models import Template
from templates_app.services.analysis import parsed_version

logger = logging.getLogger(__name__)


def next_run(cron: str, run_at: dt.datetime | None, after: dt.datetime) -> dt.datetime | None:
    if cron:
        return croniter(cron, after).get_next(dt.datetime)
    return run_at if run_at and run_at > after else None


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


def check_trigger(*, cron: str, run_at: dt.datetime | None, enabled: bool, template, tenant,
                  version: str = "", parameters: dict | None = None) -> None:
    """Every rule a trigger must meet before it is saved (forms call this to place errors).

    The parameters are checked against the template's as a run would, so a mistyped one
    is refused now rather than failing every firing later.
    """
    check_schedule(cron, run_at, enabled=enabled)
    if template is not None and tenant is not None and template.tenant_id not in (None, tenant.pk):
        raise InvalidParameter("template", "the template belongs to another tenant")
    if template is not None and parameters is not None:
        check_parameters(template, version, parameters)


def check_parameters(template: Template, version: str, parameters: dict) -> None:
    try:
        resolve_parameters(parsed_version(template, version or None).parameters, dict(parameters))
    except ParametersInvalid as exc:
        problems = [str(p) for p in exc.problems]
        raise InvalidParameter("Parameters", "; ".join(problems), detail=problems) from exc


def refresh_has_trigger(template: Template) -> None:
    has = TimerTrigger.objects.filter(template=template, enabled=True).exists()
    Template.objects.filter(pk=template.pk).update(has_trigger=has)


def save_trigger(trigger: TimerTrigger) -> TimerTrigger:
    """Validate and store a new or changed trigger, computing its next run."""
    check_trigger(cron=trigger.cron, run_at=trigger.run_at, enabled=trigger.enabled, template=trigger.template,
                  tenant=trigger.tenant, version=trigger.template_version, parameters=trigger.parameters)
    trigger.next_run_at = next_run(trigger.cron, trigger.run_at, timezone.now()) if trigger.enabled else None
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
            TimerTrigger.objects.select_for_update(skip_locked=True)
            .select_related("template", "tenant", "owner")
            .filter(pk=trigger_id, enabled=True, next_run_at__lte=timezone.now())
            .first()
        )
        if trigger is None:
            return
        now = timezone.now()
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
        following = next_run(trigger.cron, None, now)
        fields["next_run_at"] = following
        if following is None:
            fields["enabled"] = False
        for key, value in fields.items():
            setattr(trigger, key, value)
        trigger.save(update_fields=list(fields))
        if following is None:
            refresh_has_trigger(trigger.template)


def upcoming(trigger: TimerTrigger, count: int = 3) -> list[dt.datetime]:
    """The next ``count`` times an enabled trigger will fire (one at most for a one-off)."""
    if not trigger.enabled or trigger.next_run_at is None:
        return []
    if not trigger.cron:
        return [trigger.next_run_at]
    times = croniter(trigger.cron, trigger.next_run_at - dt.timedelta(seconds=1)).all_next(dt.datetime)
    return [next(times) for _ in range(count)]


def fire_due_triggers(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(
        TimerTrigger.objects.filter(enabled=True, next_run_at__lte=now).values_list("pk", flat=True)[:100]
    )
    for trigger_id in due:
        fire(trigger_id)
    return len(due)
