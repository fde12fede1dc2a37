"""The lease: which worker is advancing an execution, until when — and the fence.

Rounds commit as they go, so a row lock cannot span an ``advance``; the lease does.
Taking it is one conditional UPDATE (free, or expired because its holder died), so
two workers never advance the same execution at once. The lease is short
(``ENGINE_LEASE_SECONDS``, 4 s by default): while a worker holds it, a heartbeat
(:mod:`.heartbeat`) renews it every ``ENGINE_HEARTBEAT_SECONDS``, so a worker that dies
loses its executions within seconds and the ticker hands them to another worker.

While held, ``wake_at`` is at most the lease's first expiry: if the holder dies, the
ticker finds the execution due as soon as the lease runs out — that is the recovery path.

The owner token is new for every hold (``pid@host:random``), so it is also the fencing
token: every write of a round carries ``lease_owner = <token>`` in its ``WHERE``
(:func:`fence`, under the row lock taken at the round's start). A worker that was
paused or slow past its lease and was taken over finds another token there: its round
raises :class:`LeaseLost` and rolls back, and nothing it decided is written.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from orchestration.models import FINISHED_STATUSES, Execution

from . import wakeups

LEASE_SECONDS = float(getattr(settings, "ENGINE_LEASE_SECONDS", 4))
# Renew well before expiry: a lease survives two missed beats.
HEARTBEAT_SECONDS = min(float(getattr(settings, "ENGINE_HEARTBEAT_SECONDS", 1)), LEASE_SECONDS / 3)
# How far the ticker pushes ``wake_at`` when it queues an execution: if that message is
# lost (broker or database outage, a worker killed first), the execution is due again then.
REQUEUE_SECONDS = min(LEASE_SECONDS, getattr(settings, "ENGINE_REQUEUE_SECONDS", 10))
# PostgreSQL ends a round's transaction whose worker stays silent this long (paused,
# hung), so the row lock it holds cannot keep another worker from taking over.
ROUND_IDLE_SECONDS = float(getattr(settings, "ENGINE_ROUND_IDLE_SECONDS", 10))


class LeaseLost(Exception):
    """Another worker took the execution over; this worker's round must not be written."""


def new_owner() -> str:
    """A token unique to one hold, naming the process that holds it (fits ``lease_owner``)."""
    return f"{os.getpid()}@{socket.gethostname()}"[:27] + ":" + uuid.uuid4().hex[:12]


def acquire(execution_id: str, owner: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    expires = now + dt.timedelta(seconds=LEASE_SECONDS)
    taken = bool(
        Execution.objects.filter(Q(lease_owner="") | Q(lease_expires_at__lt=now), pk=execution_id)
        .exclude(status__in=FINISHED_STATUSES)
        .update(lease_owner=owner, lease_expires_at=expires, wake_at=expires)
    )
    if taken:
        wakeups.notify_due(expires)  # the ticker looks again when it would expire unrenewed
    return taken


def renew(execution_id: str, owner: str) -> bool:
    """The heartbeat: push the lease's expiry on; ``False`` if it is no longer ours."""
    expires = timezone.now() + dt.timedelta(seconds=LEASE_SECONDS)
    return bool(Execution.objects.filter(pk=execution_id, lease_owner=owner).update(lease_expires_at=expires))


def begin_round() -> None:
    """Bound how long this round's transaction may sit idle on its worker (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                           [str(int(ROUND_IDLE_SECONDS * 1000))])


def fence(execution_id: str, owner: str, **fields: Any) -> None:
    """The last write of a round: renew the lease and set ``fields``, only if it is still ours.

    Runs inside the round's transaction; :class:`LeaseLost` rolls the whole round back.
    """
    expires = timezone.now() + dt.timedelta(seconds=LEASE_SECONDS)
    if not Execution.objects.filter(pk=execution_id, lease_owner=owner).update(lease_expires_at=expires, **fields):
        raise LeaseLost(execution_id)


def release(execution_id: str, owner: str, next_due: dt.datetime | None) -> None:
    """Give the lease back and set the real next wake-up.

    A wake-up that someone else set while we held the lease (a notify, a finished
    child) is already due and must survive, so an already-due ``wake_at`` is kept.
    """
    now = timezone.now()
    released = Execution.objects.filter(pk=execution_id, lease_owner=owner).update(
        lease_owner="",
        lease_expires_at=None,
        wake_at=Case(When(wake_at__lte=now, then=F("wake_at")), default=Value(next_due)),
    )
    if released:
        wakeups.notify_due(next_due)
