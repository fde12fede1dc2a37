"""The due-time path: turns ``wake_at`` times into queued ``advance`` calls.

django-q2's own scheduler looks at its schedules only every ~30 s, far too coarse
for sleeps, retries and polls. This loop queues what is due, fires timer triggers and
the django-q2 schedules registered with :func:`run_schedules_precisely`, hands newly
stored events to event triggers, then sleeps until the earliest next due time
(:func:`next_due`). On PostgreSQL it is woken early by NOTIFY on
:data:`.wakeups.DUE_CHANNEL` when something earlier becomes due (a lease taken, an
execution released with a sleep, a trigger saved, new vCenter events stored) and looks
at least every ``ENGINE_WAKEUP_FALLBACK_SECONDS``; an idle ticker costs nothing. On
SQLite it is woken by any commit (:class:`.wakeups.CommitWatcher`) and then looks at
most every ``interval`` seconds (0.5 by default); with nothing to wait on, it looks every
``interval``. Re-arming ``wake_at`` a few seconds ahead (``ENGINE_REQUEUE_SECONDS``)
before queueing means a queue message lost to an outage of the broker or the database,
or to a worker that died before finishing it, is queued again within seconds, not
forgotten; and an execution whose worker died is picked up again once its lease
expires: this loop is also the recovery pass. The engine
never waits for the broker's own redelivery (``Q_RETRY``): a redelivered message is a
harmless duplicate, since only the lease holder advances an execution.
"""
from __future__ import annotations

import ast
import datetime as dt
import logging
import threading
import time
from typing import NamedTuple

from django.db import transaction
from django.db.models import Case, F, Min, Q, When
from django.db.models.functions import Coalesce, Greatest
from django.db.models.signals import post_save
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from orchestration.availability import Outage
from orchestration.models import FINISHED_STATUSES, Execution, TimerTrigger
from orchestration.services.event_triggers import handle_new_events
from orchestration.services.triggers import fire_due_triggers

from . import leases, wakeups
from .dispatch import ADVANCE_TASK

logger = logging.getLogger(__name__)

BATCH = 500


def due_executions(now: dt.datetime) -> list[str]:
    """Due executions (their wake-up passed, their lease free or expired), rows locked by
    another transaction skipped: a worker paused inside a round never stalls the ticker."""
    return list(
        Execution.objects.filter(wake_at__lte=now)
        .filter(Q(lease_owner="") | Q(lease_expires_at__lt=now))
        .exclude(status__in=FINISHED_STATUSES)
        .order_by("wake_at")
        .select_for_update(skip_locked=True)
        .values_list("id", flat=True)[:BATCH]
    )


def tick(now: dt.datetime | None = None) -> int:
    """Queue every due execution once; returns how many were queued."""
    now = now or timezone.now()
    rearm = now + dt.timedelta(seconds=leases.REQUEUE_SECONDS)
    with transaction.atomic():  # only one ticker (of possibly several) wins each execution
        due = due_executions(now)
        if due:
            Execution.objects.filter(pk__in=due).update(wake_at=rearm)
    for execution_id in due:
        async_task(ADVANCE_TASK, execution_id, group="engine", q_options={"save": False})
    return len(due)


class DueTimes(NamedTuple):
    """When each kind of thing this loop handles is next due (``None``: nothing pending)."""

    executions: dt.datetime | None
    triggers: dt.datetime | None
    schedules: dt.datetime | None

    def earliest(self) -> dt.datetime | None:
        return min((t for t in self if t is not None), default=None)


def due_times() -> DueTimes:
    """Three aggregates; a held execution is due when its lease would expire, whatever its ``wake_at``."""
    execution = (
        Execution.objects.filter(wake_at__isnull=False)
        .exclude(status__in=FINISHED_STATUSES)
        .aggregate(due=Min(Case(When(lease_owner="", then=F("wake_at")),
                                default=Greatest("wake_at", Coalesce("lease_expires_at", "wake_at")))))["due"]
    )
    trigger = TimerTrigger.objects.filter(enabled=True).aggregate(due=Min("next_run_at"))["due"]
    schedule = None
    if _PRECISE_SCHEDULE_FUNCS:
        schedule = (Schedule.objects.filter(func__in=_PRECISE_SCHEDULE_FUNCS).exclude(repeats=0)
                    .aggregate(due=Min("next_run"))["due"])
    return DueTimes(execution, trigger, schedule)


def next_due() -> dt.datetime | None:
    """The earliest time anything this loop handles becomes due (``None``: nothing pending)."""
    return due_times().earliest()


def look() -> dt.datetime | None:
    """One pass: queue and fire what is due, hand new events over; returns the next due time.

    The due times are read first and only the kinds that are due are taken (each in a
    transaction of its own), so the idle look every fallback interval is three
    aggregates and the event check, not three transactions besides.
    """
    now = timezone.now()
    due = due_times()
    acted = False
    for when, take in ((due.executions, tick), (due.triggers, fire_due_triggers),
                       (due.schedules, fire_due_schedules)):
        if when is not None and when <= now:
            take(now)
            acted = True
    handle_new_events()
    return next_due() if acted else due.earliest()


_PRECISE_SCHEDULE_FUNCS: set[str] = set()


def run_schedules_precisely(func: str) -> None:
    """Have the ticker fire django-q2 schedules of ``func`` on time.

    django-q2's own scheduler looks at schedules about every 30 s; schedules of a
    registered function (e.g. a vCenter's 10-second task sync) are fired from here
    instead, within a tick of being due. Rows are taken with SKIP LOCKED and their
    ``next_run`` moved on in the same transaction, so the two never fire one twice.
    """
    _PRECISE_SCHEDULE_FUNCS.add(func)


def fire_due_schedules(now: dt.datetime | None = None) -> int:
    if not _PRECISE_SCHEDULE_FUNCS:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Schedule.objects.select_for_update(skip_locked=True)
            .filter(func__in=_PRECISE_SCHEDULE_FUNCS, next_run__lte=now)
            .exclude(repeats=0)[:BATCH]
        )
        for schedule in due:
            args = ast.literal_eval(schedule.args) if schedule.args else ()
            async_task(schedule.func, *(args if isinstance(args, tuple) else (args,)), q_options={"save": False})
            schedule.next_run = schedule.calculate_next_run(now)
            if schedule.repeats > 0:
                schedule.repeats -= 1
            schedule.save(update_fields=["next_run", "repeats"])
    return len(due)


def _announce_trigger(sender, instance: TimerTrigger, **kwargs) -> None:
    if instance.enabled:
        wakeups.notify_due(instance.next_run_at)


def _announce_schedule(sender, instance: Schedule, **kwargs) -> None:
    if instance.func in _PRECISE_SCHEDULE_FUNCS:
        wakeups.notify_due(instance.next_run)


def announce_due_times() -> None:
    """Tell a sleeping ticker when a timer trigger or a precise schedule is saved (from ``ready()``)."""
    post_save.connect(_announce_trigger, sender=TimerTrigger, dispatch_uid="orchestration-trigger-due")
    post_save.connect(_announce_schedule, sender=Schedule, dispatch_uid="orchestration-schedule-due")


def run_forever(interval: float = 0.5, stop_after: float | None = None,
                stop: threading.Event | None = None) -> None:
    """Look, then sleep until the next due time, until ``stop`` is set (or ``stop_after`` s pass).

    Without LISTEN (SQLite, or while the listening connection is down) it looks every
    ``interval`` seconds. A failed pass (the database or the broker unreachable) drops
    this process's connections and backs off; the next pass reconnects, so an outage
    heals without a restart and is logged once when it begins and once when it ends.
    """
    stop = stop or threading.Event()
    outage = Outage("engine ticker")
    listener = wakeups.listener_for(wakeups.DUE_CHANNEL)
    started = time.monotonic()
    while not stop.is_set() and (stop_after is None or time.monotonic() - started < stop_after):
        began = time.monotonic()
        listening = listener is not None and listener.connect()  # before looking: nothing told meanwhile is missed
        try:
            due = look()
        except Exception as exc:  # an outage or a bug must not end the loop
            stop.wait(outage.failed(exc))
            continue
        outage.succeeded()
        if listening:
            _sleep_until_due(listener, due, stop, not_before=began + interval)
        else:
            stop.wait(max(0.0, interval - (time.monotonic() - began)))


def _sleep_until_due(listener, due: dt.datetime | None, stop: threading.Event, not_before: float) -> None:
    """Wait for ``due`` (or the fallback), woken early by an earlier due time on the channel.

    A commit watcher (SQLite) only says that something changed: the ticker then looks
    again, but at most once per ``interval`` (``not_before``), however busy the database.
    """
    until = time.time() + wakeups.FALLBACK_SECONDS
    if due is not None:
        until = min(until, due.timestamp())
    while not stop.is_set():
        remaining = until - time.time()
        if remaining <= 0:
            return
        # In slices of at most a second, so a stop request is seen promptly.
        payloads = listener.wait(min(remaining, 1.0))
        if payloads is None:  # the listening connection broke: look again now
            return
        if wakeups.CHANGED in payloads:
            stop.wait(max(0.0, min(not_before, time.monotonic() + remaining) - time.monotonic()))
            return
        until = min([until, *wakeups.due_times(payloads)])
