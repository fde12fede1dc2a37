"""Event triggers: check and save them, and hand them the events each source has stored since last time.

The engine ticker calls :func:`handle_new_events` on every pass. Per source id (a
vCenter) it locks that source's cursor row (``SKIP LOCKED``: another engine process
handling the same vCenter is simply skipped this pass), reads the events after it,
and for each enabled trigger of a tenant the vCenter is granted to that matches:

1. records a firing row, unique per (trigger, event): a second engine that somehow
   gets the same event cannot fire it again;
2. skips (with the reason) an entity that already ran within the trigger's dedupe
   window, and anything over the trigger's runs per minute;
3. starts the template as the trigger's owner, parameters rendered from the event.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from orchestration import event_stream
from orchestration.errors import InvalidParameter, ServiceError
from orchestration.event_stream import Event
from orchestration.models import EventCursor, EventTrigger, EventTriggerFiring, Trigger
from orchestration.services.executions import start_execution
from templates_app.language import expressions

logger = logging.getLogger(__name__)

BATCH = 500
EVENT_FIELDS = ("source", "source_id", "key", "type", "time", "entity", "alarm", "user", "message", "chain_id",
                "entity_kind", "entity_moref", "entity_name", "entity_path", "alarm_name", "alarm_status")
SAMPLE = Event(source="vsphere", source_id=0, key=0, type="VmPoweredOffEvent", time=timezone.now(),
               entity_kind="VirtualMachine", entity_moref="vm-1", entity_name="vm", entity_path="/DC0/vm/vm")


def check_trigger(trigger: EventTrigger) -> None:
    """Every rule a trigger must meet before it is saved (forms and serializers place the errors)."""
    if trigger.template_id and trigger.template.tenant_id not in (None, trigger.tenant_id):
        raise InvalidParameter("template", "the template belongs to another tenant")
    types = trigger.event_types
    if not isinstance(types, list) or not all(isinstance(t, str) and t.strip() for t in types):
        raise InvalidParameter("event_types", "must be a list of event type names such as VmPoweredOffEvent")
    if not isinstance(trigger.parameters, dict):
        raise InvalidParameter("parameters", "must be an object of template parameters")
    problems = expressions.check_syntax(trigger.parameters)
    if problems:
        raise InvalidParameter("parameters", problems[0])
    for root, attr, place in expressions.reference_details(trigger.parameters, "parameters"):
        if root != "event" or (attr is not None and attr not in EVENT_FIELDS):
            name = f"{root}.{attr}" if attr else root
            raise InvalidParameter(place, f"{name!r} is not known here; use event.entity.moref, event.entity.name, "
                                          "event.type, event.user, event.time, event.message or event.alarm.status")
    try:
        render_parameters(trigger, SAMPLE)
    except ServiceError as exc:
        raise InvalidParameter("parameters", exc.message) from None


def save_trigger(trigger: EventTrigger) -> EventTrigger:
    check_trigger(trigger)
    trigger.save()
    return trigger


def render_parameters(trigger: EventTrigger, event: Event) -> dict[str, Any]:
    try:
        return expressions.render(trigger.parameters, {"event": event.as_context()})
    except expressions.ExpressionError as exc:
        raise InvalidParameter("parameters", f"cannot be rendered from the event: {exc}") from None


def matches(trigger: EventTrigger, event: Event) -> bool:
    def like(pattern: str, value: str) -> bool:
        return not pattern or fnmatch.fnmatchcase(value, pattern)

    return (
        trigger.tenant_id in event.tenant_ids
        and (not trigger.event_types or event.type in trigger.event_types)
        and (not trigger.entity_kind or trigger.entity_kind == event.entity_kind)
        and like(trigger.name_pattern, event.entity_name)
        and like(trigger.path_pattern, event.entity_path)
        and like(trigger.alarm_name, event.alarm_name)
        and (not trigger.alarm_status or trigger.alarm_status == event.alarm_status)
        and event.time >= trigger.created_at - dt.timedelta(seconds=5)  # no firing on what came before it
    )


def _why_not(trigger: EventTrigger, event: Event, now: dt.datetime) -> str:
    """Why this matching event must not start a run now, or "" if it may."""
    ran = EventTriggerFiring.objects.filter(trigger=trigger, fired=True)
    if trigger.dedupe_seconds and event.entity_moref:
        window = now - dt.timedelta(seconds=trigger.dedupe_seconds)
        if ran.filter(entity_moref=event.entity_moref, created_at__gte=window).exists():
            return f"duplicate: {event.entity_moref} already ran within {trigger.dedupe_seconds} s"
    if ran.filter(created_at__gte=now - dt.timedelta(minutes=1)).count() >= trigger.max_runs_per_minute:
        return f"rate limit: {trigger.max_runs_per_minute} run(s) per minute reached"
    return ""


def fire(trigger: EventTrigger, event: Event) -> EventTriggerFiring | None:
    """Handle one matching event for one trigger; None if it was handled before."""
    now = timezone.now()
    try:
        with transaction.atomic():
            firing = EventTriggerFiring.objects.create(
                trigger=trigger, source=event.source, source_id=event.source_id, event_key=event.key,
                event_type=event.type, event_time=event.time, entity_moref=event.entity_moref,
                entity_name=event.entity_name[:255])
    except IntegrityError:
        return None
    firing.reason = _why_not(trigger, event, now)
    if not firing.reason:
        try:
            firing.execution = start_execution(
                tenant=trigger.tenant, user=trigger.owner, template=trigger.template,
                version=trigger.template_version or None, parameters=render_parameters(trigger, event),
                mode=trigger.mode, loop_mode=trigger.loop_mode, safety_check=trigger.safety_check,
                trigger=Trigger.EVENT,
                description=f"Event trigger {trigger.name}: {event.type} on {event.entity_name or event.entity_moref}",
            )
            firing.fired = True
            EventTrigger.objects.filter(pk=trigger.pk).update(last_fired_at=now, last_error="")
        except ServiceError as exc:
            firing.reason = f"could not start: {exc.message}"
            EventTrigger.objects.filter(pk=trigger.pk).update(last_error=exc.message)
    firing.save(update_fields=["fired", "reason", "execution"])
    return firing


def _handle_source(source: event_stream.EventSource, source_id: int, latest: int,
                   triggers: list[EventTrigger]) -> int:
    locked = EventCursor.objects.select_for_update(skip_locked=True).filter(source=source.name, source_id=source_id)
    if not EventCursor.objects.filter(source=source.name, source_id=source_id).exists():
        # First sight of this vCenter: start after what happened before the oldest trigger existed.
        since = min(trigger.created_at for trigger in triggers) - dt.timedelta(seconds=5)
        start = EventCursor(source=source.name, source_id=source_id, key=source.key_before(source_id, since))
        EventCursor.objects.bulk_create([start], ignore_conflicts=True)
    with transaction.atomic():
        cursor = locked.first()
        if cursor is None or cursor.key >= latest:
            return 0
        events = source.read_after(source_id, cursor.key, BATCH)
        for event in events:
            for trigger in triggers:
                if matches(trigger, event):
                    fire(trigger, event)
        if events:
            cursor.key = events[-1].key
            cursor.save(update_fields=["key"])
        return len(events)


def handle_new_events() -> int:
    """Hand every source's new events to the enabled triggers; how many events were read.

    Runs on every tick, so the common case (nothing new) costs two small queries.
    """
    handled = 0
    for source in event_stream.sources():
        latest = source.latest_keys()
        seen = dict(EventCursor.objects.filter(source=source.name).values_list("source_id", "key"))
        pending = {sid: key for sid, key in latest.items() if seen.get(sid, -1) < key}
        if not pending:
            continue
        triggers = list(EventTrigger.objects.filter(enabled=True).select_related("template", "tenant", "owner"))
        if not triggers:
            return handled
        for source_id, key in pending.items():
            handled += _handle_source(source, source_id, key, triggers)
    return handled
