"""Incremental event sync: new events from each vCenter's event history, stored once by key.

Each run creates an ``EventHistoryCollector`` in the pooled session (collectors are per
session and capped, so it is destroyed in ``finally``; a re-login simply creates the
next one), windowed by time from the last event seen minus an overlap and filtered to
keys above the highest stored one, reads it page by page, and inserts the new rows.
On the first run of a vCenter only the last few minutes are read: history before the
service knew the vCenter does not fire triggers. Retention deletes old rows like tasks.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone
from pyVmomi import vim

from orchestration.engine import wakeups
from vsphere.models import VCenter, VSphereEvent

from . import connection

PAGE = 1000
OVERLAP = timedelta(minutes=2)
FIRST_WINDOW = timedelta(minutes=5)
MAX_EVENTS_PER_RUN = 50_000
RETENTION_CHECK_SECONDS = 600
_last_purge: dict[int, float] = {}


@dataclass
class EventSyncResult:
    fetched: int = 0
    created: int = 0
    purged: int = 0
    seconds: float = 0.0


def read_events(si: vim.ServiceInstance, since, after_key: int | None) -> list:
    """Events created since ``since`` with a key above ``after_key``, oldest first."""
    manager = connection.content(si).eventManager
    spec = vim.event.EventFilterSpec(time=vim.event.EventFilterSpec.ByTime(beginTime=since))
    collector = manager.CreateCollectorForEvents(spec)
    events: list = []
    try:
        # The page a collector keeps ("latestPage") defaults to 10 events; some servers (govmomi's
        # simulator among them) read only that far, so the page is as large as a read.
        collector.SetCollectorPageSize(PAGE)
        collector.RewindCollector()
        while len(events) < MAX_EVENTS_PER_RUN:
            page = collector.ReadNextEvents(PAGE)
            if not page:
                break
            events.extend(page)
    finally:
        try:
            collector.DestroyCollector()
        except Exception:  # the session may have died; its collectors went with it
            pass
    fresh = [event for event in events if after_key is None or event.key > after_key]
    return sorted(fresh, key=lambda event: event.key)


# Event argument attribute -> (entity kind, the argument's reference attribute), most specific first.
_ARGUMENTS = (("vm", "VirtualMachine", "vm"), ("host", "HostSystem", "host"), ("ds", "Datastore", "datastore"),
              ("net", "Network", "network"), ("computeResource", "ComputeResource", "computeResource"),
              ("datacenter", "Datacenter", "datacenter"))


def _entity(event) -> tuple[str, str, str]:
    """(kind, moref, name) of the entity the event is about."""
    for attr, kind, ref_attr in _ARGUMENTS:
        argument = getattr(event, attr, None)
        ref = getattr(argument, ref_attr, None) if argument is not None else None
        if ref is not None:
            return kind, ref._moId, argument.name or ""
    entity = getattr(event, "entity", None)  # alarm events name their entity this way
    if entity is not None and getattr(entity, "entity", None) is not None:
        return type(entity.entity).__name__.rpartition(".")[2], entity.entity._moId, entity.name or ""
    return "", "", ""


def _own_fields(event) -> dict:
    """The event's scalar fields (its class's own, e.g. an alarm's from/to), as JSON."""
    own = {}
    for prop in type(event)._GetPropertyList():
        value = getattr(event, prop.name, None)
        if isinstance(value, str | int | float | bool) and prop.name not in ("key", "chainId", "userName",
                                                                               "fullFormattedMessage"):
            own[prop.name] = value
    return own


def row_values(event) -> dict:
    kind, moref, name = _entity(event)
    alarm = getattr(event, "alarm", None)
    return {
        "key": event.key,
        "event_type": type(event).__name__.rpartition(".")[2],
        "created_time": event.createdTime,
        "entity_type": kind,
        "entity_moref": moref,
        "entity_name": name[:255],
        "user": (event.userName or "")[:255],
        "message": event.fullFormattedMessage or "",
        "chain_id": event.chainId,
        "alarm_name": (alarm.name or "")[:255] if alarm is not None else "",
        "alarm_status": str(getattr(event, "to", "") or "") if alarm is not None else "",
        "data": _own_fields(event),
    }


def window(vcenter: VCenter) -> tuple:
    """(created since, key above) of the next read: after the newest stored event, with an overlap in time."""
    newest = VSphereEvent.objects.filter(vcenter=vcenter).aggregate(time=Max("created_time"), key=Max("key"))
    after_key = newest["key"] if newest["key"] is not None else vcenter.event_key_until
    since = newest["time"] - OVERLAP if newest["time"] else timezone.now() - FIRST_WINDOW
    return since, after_key


def sync_events(vcenter: VCenter) -> EventSyncResult:
    """One incremental read of ``vcenter``'s events. Raises ``VSphereError`` if the vCenter fails."""
    started = time.monotonic()
    since, after_key = window(vcenter)
    events = connection.call(vcenter, lambda si: read_events(si, since, after_key))
    rows = [VSphereEvent(vcenter=vcenter, **row_values(event)) for event in events]
    created = VSphereEvent.objects.bulk_create(rows, batch_size=PAGE, ignore_conflicts=True)
    if rows:
        VCenter.objects.filter(pk=vcenter.pk).update(event_key_until=rows[-1].key)
        wakeups.notify_due(timezone.now())  # the ticker hands them to event triggers now, not at its next look
    result = EventSyncResult(fetched=len(events), created=len(created), purged=purge_expired(vcenter))
    result.seconds = time.monotonic() - started
    return result


def purge_expired(vcenter: VCenter, *, force: bool = False) -> int:
    """Delete events older than the vCenter's retention (at most every 10 minutes per process)."""
    now = time.monotonic()
    if not force and now - _last_purge.get(vcenter.pk, -RETENTION_CHECK_SECONDS) < RETENTION_CHECK_SECONDS:
        return 0
    _last_purge[vcenter.pk] = now
    cutoff = timezone.now() - timedelta(days=vcenter.event_retention_days)
    return VSphereEvent.objects.filter(vcenter=vcenter, created_time__lt=cutoff).delete()[0]
