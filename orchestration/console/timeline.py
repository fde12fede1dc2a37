"""The execution timeline (Gantt) as SVG geometry: one lane per row, bars scaled to the run's span.

Rows come from ``orchestration.services.execution_timeline`` (bounded: top-level tasks,
a few items per loop, one summary lane for the rest); this module only places them.
A bar still running reaches "now"; a lane that has not started has no bar.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from orchestration.console.charts import short_duration
from orchestration.models import Execution
from orchestration.services import execution_timeline
from orchestration.services.execution_timeline import Lane, Timeline

LABEL_W, PLOT_W, LANE_H, AXIS_H, RIGHT = 200, 640, 22, 22, 16


@dataclass(frozen=True)
class Bar:
    lane: Lane
    y: int
    x: float
    w: float
    duration: str  # "" when the lane has not started

    @property
    def drawn(self) -> bool:
        return bool(self.duration)


@dataclass
class Gantt:
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (x, "+12 s")
    width: int
    height: int
    hidden_tasks: int
    label_w: int = LABEL_W
    axis_y: int = AXIS_H


def _ticks(span: float) -> list[tuple[float, str]]:
    return [(LABEL_W + PLOT_W * k / 4, "+" + short_duration(span * k / 4) if k else "0") for k in range(5)]


def build(timeline: Timeline, now: dt.datetime | None = None) -> Gantt:
    """Bars placed on a shared time axis from the timeline's start to its end (or now)."""
    now = now or timezone.now()
    start = timeline.start or now
    end = max(timeline.end or now, start)
    span = max((end - start).total_seconds(), 0.001)
    bars = []
    for i, lane in enumerate(timeline.lanes):
        y = AXIS_H + i * LANE_H
        if lane.start is None:
            bars.append(Bar(lane, y, LABEL_W, 0, ""))
            continue
        lane_end = lane.end or now
        x = LABEL_W + PLOT_W * max((lane.start - start).total_seconds(), 0) / span
        seconds = (lane_end - lane.start).total_seconds()
        w = min(max(PLOT_W * seconds / span, 2), LABEL_W + PLOT_W - x + 1)
        bars.append(Bar(lane, y, x, w, short_duration(seconds)))
    height = AXIS_H + len(bars) * LANE_H + 6
    return Gantt(bars, _ticks(span), LABEL_W + PLOT_W + RIGHT, height, timeline.hidden_tasks)


def execution_gantt(execution: Execution) -> Gantt:
    """The execution page's timeline: the service's bounded lanes, placed."""
    return build(execution_timeline.build(execution))
