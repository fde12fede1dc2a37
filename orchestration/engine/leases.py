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
token: the execution row written at the end of every round carries
``lease_owner = <token>`` in its ``WHERE`` (:func:`save_fenced`, under the row lock
taken at the round's start by :func:`lock_for_round`). A worker that was
paused or slow past its lease and was taken over finds another token there: its round
raises :class:`LeaseLost` and rolls back, and nothing it decided is written.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from orchestration.models import FINISHED_STATUSES, Execution

from . import metrics, wakeups

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
    """Take the lease if it is free or expired; the ticker is told when it would expire unrenewed."""
    now = now or timezone.now()
    expires = now + dt.timedelta(seconds=LEASE_SECONDS)
    unfinished = Execution.objects.filter(pk=execution_id).exclude(status__in=FINISHED_STATUSES)
    taken = dict(lease_owner=owner, lease_expires_at=expires, wake_at=expires)
    if wakeups.update_announcing(unfinished.filter(lease_owner=""), "lease_expires_at", **taken):
        return True
    # Held, but its holder has not renewed in time (dead or stalled): a takeover.
    if wakeups.update_announcing(unfinished.filter(lease_expires_at__lt=now), "lease_expires_at", **taken):
        metrics.LEASE_TAKEOVERS.inc()
        return True
    return False


def renew(execution_id: str, owner: str) -> bool:
    """The heartbeat: push the lease's expiry on; ``False`` if it is no longer ours."""
    expires = timezone.now() + dt.timedelta(seconds=LEASE_SECONDS)
    return bool(Execution.objects.filter(pk=execution_id, lease_owner=owner).update(lease_expires_at=expires))


def save_fenced(execution: Execution, owner: str, *, release: bool = False) -> None:
    """Write the execution row at the end of a round, only if the lease is still ``owner``'s.

    The ``WHERE lease_owner = owner`` of this UPDATE is the fence: a worker taken over
    while it was paused or slow raises :class:`LeaseLost` here and its round rolls back.
    The same write renews the lease (keeping ``wake_at`` within it, for recovery) or,
    when the round finished the execution, ``release`` gives it back.
    """
    now = timezone.now()
    if release:
        execution.lease_owner, execution.lease_expires_at = "", None
    else:
        execution.lease_expires_at = now + dt.timedelta(seconds=LEASE_SECONDS)
        # Due when the lease would run out, at the latest (also while an outside call has
        # left nothing else due): if this worker dies, that is when another takes over.
        execution.wake_at = min(execution.wake_at or execution.lease_expires_at, execution.lease_expires_at)
    execution.updated_at = now
    fields = {f.attname: getattr(execution, f.attname) for f in Execution._meta.concrete_fields if not f.primary_key}
    if not Execution.objects.filter(pk=execution.pk, lease_owner=owner).update(**fields):
        raise LeaseLost(execution.pk)
    if release:
        execution.lease_owner = ""


def lock_for_round(execution_id: str, owner: str) -> Execution:
    """The execution, row-locked for a round, if ``owner`` still holds its lease (else :class:`LeaseLost`).

    On PostgreSQL the same statement bounds how long this round's transaction may sit
    idle on its worker (``ENGINE_ROUND_IDLE_SECONDS``): a paused worker's row lock is
    then taken from it by the server, so another worker can take over.
    """
    rows = Execution.objects.select_for_update().filter(pk=execution_id)
    if connection.vendor == "postgresql":
        rows = rows.annotate(idle_limit=RawSQL("set_config('idle_in_transaction_session_timeout', %s, true)",
                                                (str(int(ROUND_IDLE_SECONDS * 1000)),)))
    execution = rows.first()
    if execution is None or execution.lease_owner != owner:
        raise LeaseLost(execution_id)
    return execution


def release(execution_id: str, owner: str, next_due: dt.datetime | None) -> bool:
    """Give the lease back and set the real next wake-up; ``True`` if that is already due.

    A wake-up that someone else set while we held the lease (a notify, a finished
    child) is already due and must survive, so an already-due ``wake_at`` is kept.
    The ticker is told of the resulting wake-up in the same statement.
    """
    now = timezone.now()
    held = Execution.objects.filter(pk=execution_id, lease_owner=owner)
    due = wakeups.update_announcing(
        held, "wake_at", lease_owner="", lease_expires_at=None,
        wake_at=Case(When(wake_at__lte=now, then=F("wake_at")), default=Value(next_due)),
    )
    return bool(due) and due[0] is not None and due[0] <= timezone.now()
