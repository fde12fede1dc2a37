"""Figures about executions read from the database when ``/metrics`` is scraped.

Each is one query an index serves, so a scrape stays cheap on a table of a million
executions: the live statuses through the ``status`` index (finished executions are
the bulk of the table and are counted as they end instead, by the engine's
``orchestration_executions_finished`` counter), due executions through the partial
``wake_at`` index, capped.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from orchestration.models import FINISHED_STATUSES, Execution, ExecutionStatus

LIVE_STATUSES = tuple(status for status in ExecutionStatus.values if status not in FINISHED_STATUSES)
# Beyond this many due executions the exact figure no longer matters: the engine is far behind.
DUE_CAP = 10_000


def live_executions_by_status() -> dict[str, int]:
    """How many executions are in each unfinished status (all four present, zeros included)."""
    counts = dict.fromkeys(LIVE_STATUSES, 0)
    rows = (Execution.objects.filter(status__in=LIVE_STATUSES).order_by()
            .values_list("status").annotate(n=Count("*")))
    counts.update(dict(rows))
    return counts


def due_executions(now: dt.datetime) -> int:
    """Executions whose wake-up has passed and that no worker holds: the engine's backlog (capped)."""
    due = (Execution.objects.filter(wake_at__lte=now)
           .filter(Q(lease_owner="") | Q(lease_expires_at__lt=now))
           .exclude(status__in=FINISHED_STATUSES).order_by())
    return due[:DUE_CAP].count()
