"""The lease: which worker is advancing an execution, and until when.

Rounds commit as they go, so a row lock cannot span an ``advance``; the lease does.
Taking it is one conditional UPDATE (free, or expired because its holder died), so
two workers never advance the same execution at once. While held, ``wake_at`` is at
most the lease's expiry: if the holder dies, the ticker finds the execution due and
a new worker takes over — that is the recovery path.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Case, F, Value, When
from django.utils import timezone

from orchestration.models import FINISHED_STATUSES, Execution

from . import metrics

LEASE_SECONDS = getattr(settings, "ENGINE_LEASE_SECONDS", 60)
# How far the ticker pushes ``wake_at`` when it queues an execution: if that message is
# lost (broker or database outage, a worker killed first), the execution is due again then.
REQUEUE_SECONDS = min(LEASE_SECONDS, getattr(settings, "ENGINE_REQUEUE_SECONDS", 10))


def acquire(execution_id: str, owner: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    expires = now + dt.timedelta(seconds=LEASE_SECONDS)
    unfinished = Execution.objects.filter(pk=execution_id).exclude(status__in=FINISHED_STATUSES)
    taken = dict(lease_owner=owner, lease_expires_at=expires, wake_at=expires)
    if unfinished.filter(lease_owner="").update(**taken):
        return True
    # Held, but its holder has not renewed in time (dead or stalled): a takeover.
    if unfinished.filter(lease_expires_at__lt=now).update(**taken):
        metrics.LEASE_TAKEOVERS.inc()
        return True
    return False


def extend(execution_id: str, owner: str, extra_seconds: float = 0) -> None:
    """Renew the lease (and the recovery wake-up with it), ``extra_seconds`` beyond the usual."""
    expires = timezone.now() + dt.timedelta(seconds=LEASE_SECONDS + extra_seconds)
    Execution.objects.filter(pk=execution_id, lease_owner=owner).update(
        lease_expires_at=expires, wake_at=Case(When(wake_at__lt=expires, then=F("wake_at")), default=Value(expires))
    )


def release(execution_id: str, owner: str, next_due: dt.datetime | None) -> None:
    """Give the lease back and set the real next wake-up.

    A wake-up that someone else set while we held the lease (a notify, a finished
    child) is already due and must survive, so an already-due ``wake_at`` is kept.
    """
    now = timezone.now()
    Execution.objects.filter(pk=execution_id, lease_owner=owner).update(
        lease_owner="",
        lease_expires_at=None,
        wake_at=Case(When(wake_at__lte=now, then=F("wake_at")), default=Value(next_due)),
    )
