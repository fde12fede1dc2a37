"""The due-time path: turns ``wake_at`` times into queued ``advance`` calls.

django-q2's own scheduler looks at its schedules only every ~30 s, far too coarse
for sleeps, retries and polls; this loop looks every ``interval`` seconds (0.5 by
default) with one indexed query. It also fires timer triggers, hands newly stored
events to event triggers, and fires the django-q2 schedules registered with
:func:`run_schedules_precisely`. Re-arming ``wake_at`` a few
seconds ahead (``ENGINE_REQUEUE_SECONDS``) before queueing means a queue message lost to
an outage of the broker or the database, or to a worker that died before finishing it,
is queued again within seconds, not forgotten; and an execution whose worker died is
picked up again once its lease expires: this loop is also the recovery pass. The engine
never waits for the broker's own redelivery (``Q_RETRY``): a redelivered message is a
harmless duplicate, since only the lease holder advances an execution.
"""
from __future__ import annotations

import ast
import datetime as dt
import logging
import threading
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orchestration.availability import Outage
from orchestration.models import FINISHED_STATUSES, Execution
from orchestration.services.event_triggers import handle_new_events
from orchestration.services.triggers import fire_due_triggers

from . import leases

logger = logging.getLogger(__name__)

BATCH = 500


def due_executions(now: dt.datetime) -> list[str]:
    return list(
        Execution.objects.filter(wake_at__lte=now)
        .filter(Q(lease_owner="") | Q(lease_expires_at__lt=now))
        .exclude(status__in=FINISHED_STATUSES)
        .order_by("wake_at")
        .values_list("id", flat=True)[:BATCH]
    )


def tick(now: dt.datetime | None = None) -> int:
    """Queue every due execution once; returns how many were queued."""
    from django_q.tasks import async_task

    from .dispatch import ADVANCE_TASK

    now = now or timezone.now()
    rearm = now + dt.timedelta(seconds=leases.REQUEUE_SECONDS)
    queued = 0
    for execution_id in due_executions(now):
        # Only one ticker (of possibly several) wins each execution.
        if Execution.objects.filter(pk=execution_id, wake_at__lte=now).update(wake_at=rearm):
            async_task(ADVANCE_TASK, execution_id, group="engine", q_options={"save": False})
            queued += 1
    return queued


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
    from django_q.models import Schedule
    from django_q.tasks import async_task

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


def run_forever(interval: float = 0.5, stop_after: float | None = None,
                stop: threading.Event | None = None) -> None:
    """Tick every ``interval`` seconds until ``stop`` is set (or ``stop_after`` seconds pass).

    A failed pass (the database or the broker unreachable) drops this process's
    connections and backs off; the next pass reconnects, so an outage heals without a
    restart and is logged once when it begins and once when it ends.
    """
    stop = stop or threading.Event()
    outage = Outage("engine ticker")
    started = time.monotonic()
    while not stop.is_set() and (stop_after is None or time.monotonic() - started < stop_after):
        began = time.monotonic()
        try:
            tick()
            fire_due_triggers()
            fire_due_schedules()
            handle_new_events()
        except Exception as exc:  # an outage or a bug must not end the loop
            stop.wait(outage.failed(exc))
            continue
        outage.succeeded()
        stop.wait(max(0.0, interval - (time.monotonic() - began)))
