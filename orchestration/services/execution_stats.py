"""Execution trends for the dashboard, aggregated in the database.

Three questions, each one query over the caller's already scoped top-level executions:
how many ran per day and how they ended, the share that succeeded, and how long each
template takes (median and 95th percentile). PostgreSQL answers the percentiles with
``percentile_cont``; SQLite (the development database) has no ordered-set aggregates,
so there the durations of the window are read, already computed by the database, and
the percentile is taken in Python with the same linear interpolation.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Aggregate, Count, F, FloatField, Func, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from orchestration.models import Execution, ExecutionStatus

FINISHED = (ExecutionStatus.SUCCESS, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)


@dataclass
class Day:
    date: dt.date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TemplateDurations:
    template_name: str
    runs: int
    p50: float  # seconds
    p95: float


class _Seconds(Func):
    """``end_date - start_date`` in seconds, in the database's own dialect."""

    output_field = FloatField()

    def __init__(self) -> None:
        super().__init__(F("end_date"), F("start_date"))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))",
                           arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra)


class _PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY expr)``."""

    function = "PERCENTILE_CONT"
    output_field = FloatField()

    def __init__(self, expression, fraction: float) -> None:
        self.fraction = float(fraction)  # a float we chose, never user input: safe to inline
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra):
        template = f"%(function)s({self.fraction}) WITHIN GROUP (ORDER BY %(expressions)s)"
        return super().as_sql(compiler, connection, template=template, **extra)


def window_start(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """Midnight (current time zone) ``days - 1`` days ago: the window holds ``days`` calendar days."""
    today = timezone.localdate(now or timezone.now())
    start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min)
    return timezone.make_aware(start)


def per_day(rows: QuerySet[Execution], days: int = 30, now: dt.datetime | None = None) -> list[Day]:
    """Executions created on each of the last ``days`` days, counted by status (empty days included)."""
    since = window_start(days, now)
    counted = (
        rows.filter(parent__isnull=True, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_day: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for day, status, n in counted:
        by_day[day][status] = n
    first = since.date()
    return [Day(first + dt.timedelta(days=i), by_day.get(first + dt.timedelta(days=i), {})) for i in range(days)]


def success_rate(days: list[Day]) -> float | None:
    """Succeeded among finished executions of the window (0–1), or None when none finished."""
    succeeded = sum(d.counts.get(ExecutionStatus.SUCCESS, 0) for d in days)
    finished = sum(d.counts.get(s, 0) for d in days for s in FINISHED)
    return succeeded / finished if finished else None


def durations(rows: QuerySet[Execution], days: int = 30, limit: int = 10,
              now: dt.datetime | None = None) -> list[TemplateDurations]:
    """p50/p95 run time of the ``limit`` templates run most in the window (finished runs only)."""
    timed = rows.filter(
        parent__isnull=True, created_at__gte=window_start(days, now), status__in=FINISHED,
        start_date__isnull=False, end_date__isnull=False,
    )
    if connections[rows.db].vendor == "postgresql":
        grouped = (
            timed.values("template_name")
            .annotate(runs=Count("id"), p50=_PercentileCont(_Seconds(), 0.5), p95=_PercentileCont(_Seconds(), 0.95))
            .order_by("-runs", "template_name")[:limit]
        )
        return [TemplateDurations(g["template_name"], g["runs"], g["p50"], g["p95"]) for g in grouped]
    return _durations_in_python(timed, limit)


def _durations_in_python(timed: QuerySet[Execution], limit: int) -> list[TemplateDurations]:
    busiest = list(
        timed.values_list("template_name").annotate(runs=Count("id")).order_by("-runs", "template_name")[:limit]
    )
    seconds: dict[str, list[float]] = defaultdict(list)
    names = [name for name, _runs in busiest]
    for name, value in timed.filter(template_name__in=names).annotate(s=_Seconds()).values_list("template_name", "s"):
        seconds[name].append(max(float(value), 0.0))
    return [
        TemplateDurations(name, runs, percentile(seconds[name], 0.5), percentile(seconds[name], 0.95))
        for name, runs in busiest
    ]


def percentile(values: list[float], fraction: float) -> float:
    """``percentile_cont``: linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
