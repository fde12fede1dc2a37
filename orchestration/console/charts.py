"""The dashboard's pictures as SVG geometry: the template draws rectangles and text, no script.

Each shape carries the link to the execution list filtered to what it shows (status,
template name, day), so a picture is also a way in. The numbers come from
``orchestration.services.execution_stats``; this module only scales them to pixels.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from orchestration.models import ExecutionStatus
from orchestration.services.execution_stats import Day, TemplateDurations

# bottom to top: how runs ended first, then what is still going on
STACK = (ExecutionStatus.SUCCESS, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED, ExecutionStatus.WAITING,
         ExecutionStatus.RUNNING, ExecutionStatus.QUEUED, ExecutionStatus.STARTED)
DAY_W, DAY_H, AXIS_X, AXIS_Y, TOP, RIGHT = 720, 180, 34, 22, 10, 18
LEGEND = STACK[:5]  # queued and started share the running colour
ROW_H, LABEL_W, BAR_W = 26, 190, 330


def list_url(**filters: str) -> str:
    """The console's execution list filtered by ``filters``: its own parameter names (``status``,
    ``q`` for a name or id, ``since``/``until`` for whole days in the operator's time zone)."""
    query = urlencode({k: v for k, v in filters.items() if v})
    return reverse("console:execution-list") + (f"?{query}" if query else "")


def short_duration(seconds: float) -> str:
    """12.5 → "12.5 s", 185 → "3 min 5 s", 7260 → "2 h 1 min"."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    w: float
    h: float
    status: str
    count: int
    href: str


@dataclass
class DayColumn:
    day: Day
    x: float
    middle: float
    label: str = ""
    segments: list[Segment] = field(default_factory=list)


@dataclass
class DailyChart:
    columns: list[DayColumn]
    ticks: list[tuple[float, int]]  # (y, value)
    width: int = DAY_W
    height: int = DAY_H
    base: float = DAY_H - AXIS_Y
    left: int = AXIS_X
    statuses: tuple[str, ...] = LEGEND


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return value


def daily(days: list[Day]) -> DailyChart:
    """Stacked bars per day; every fifth day labelled."""
    top = _nice_max(max((d.total for d in days), default=0) or 1)
    plot_h = DAY_H - AXIS_Y - TOP
    slot = (DAY_W - AXIS_X - RIGHT) / max(len(days), 1)
    columns = []
    for i, day in enumerate(days):
        x = AXIS_X + i * slot + 1
        label = day.date.strftime("%m-%d") if (len(days) - 1 - i) % 5 == 0 else ""
        column = DayColumn(day, x, x + slot / 2 - 1, label)
        y = DAY_H - AXIS_Y
        date = day.date.isoformat()
        for status in STACK:
            n = day.counts.get(status, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            href = list_url(status=status, since=date, until=date)
            column.segments.append(Segment(x, y, slot - 2, h, status, n, href))
        columns.append(column)
    ticks = [(DAY_H - AXIS_Y - plot_h * k / 4, top * k // 4) for k in range(5)]
    return DailyChart(columns, ticks)


@dataclass(frozen=True)
class DurationRow:
    name: str
    runs: int
    y: int
    p50_w: float
    p95_w: float
    p50: str
    p95: str
    href: str


@dataclass
class DurationChart:
    rows: list[DurationRow]
    width: int = LABEL_W + BAR_W + 170
    height: int = 0
    bar_x: int = LABEL_W


def durations(stats: list[TemplateDurations], since: str = "") -> DurationChart:
    """One row per template: the p95 bar, the p50 bar inside it, both scaled to the slowest p95."""
    slowest = max((s.p95 for s in stats), default=0) or 1
    rows = [
        DurationRow(
            s.template_name, s.runs, i * ROW_H,
            max(BAR_W * s.p50 / slowest, 1), max(BAR_W * s.p95 / slowest, 1),
            short_duration(s.p50), short_duration(s.p95), list_url(q=s.template_name, since=since),
        )
        for i, s in enumerate(stats)
    ]
    return DurationChart(rows, height=len(rows) * ROW_H + 4)
