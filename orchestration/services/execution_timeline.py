"""An execution's timeline: when each task ran, and its loop items, in bounded rows.

A loop may have 10,000 items, so the timeline never reads them all: it reads the
top-level task executions (one query, capped), one aggregate over every loop's items
(per loop and status: how many, earliest start, latest end) and the first few items of
each loop (one small query per loop). The rest of a loop is one summary lane that spans
its items and links to the paged loop-items page.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min
from django.utils import timezone

from orchestration.models import Execution, TaskExecution

MAX_TASK_LANES = 200
ITEMS_SHOWN = 5


@dataclass
class Lane:
    """One row of the timeline: a task execution, a loop item, or the rest of a loop's items."""

    kind: str  # task | item | rest
    label: str
    status: str
    start: dt.datetime | None
    end: dt.datetime | None
    task_execution_id: str = ""
    loop_id: str = ""  # the loop's task execution (items and rest)
    counts: dict[str, int] = field(default_factory=dict)  # rest: items per status

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass
class Timeline:
    lanes: list[Lane]
    start: dt.datetime | None
    end: dt.datetime | None
    hidden_tasks: int = 0  # top-level task executions beyond MAX_TASK_LANES


def _loop_summaries(execution: Execution) -> dict[str, dict]:
    """Per loop task execution: item counts by status, first start and last end (one query)."""
    grouped = (
        TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=False)
        .values_list("parent_task_execution_id", "status")
        .annotate(n=Count("id"), first=Min("start_date"), last=Max("end_date"))
        .order_by()
    )
    summaries: dict[str, dict] = defaultdict(lambda: {"counts": {}, "first": None, "last": None})
    for loop_id, status, n, first, last in grouped:
        summary = summaries[loop_id]
        summary["counts"][status] = n
        if first and (summary["first"] is None or first < summary["first"]):
            summary["first"] = first
        if last and (summary["last"] is None or last > summary["last"]):
            summary["last"] = last
    return summaries


def _item_label(index: int | None, item: object) -> str:
    """The item itself when it is a plain value (``vm-42``), else its position (``#3``)."""
    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
        return str(item)
    return f"#{index}" if index is not None else "?"


def _item_lanes(loop: TaskExecution, summary: dict) -> list[Lane]:
    shown = list(
        loop.children.order_by("loop_index", "created_at", "id")
        .values_list("id", "loop_index", "loop_item", "status", "start_date", "end_date")[:ITEMS_SHOWN]
    )
    lanes = [
        Lane("item", _item_label(index, item), status, start, end, te_id, loop.pk)
        for te_id, index, item, status, start, end in shown
    ]
    rest = dict(summary["counts"])
    for lane in lanes:
        rest[lane.status] -= 1
    rest = {status: n for status, n in rest.items() if n}
    if rest:
        busiest = max(rest, key=rest.get)
        lanes.append(Lane("rest", "", busiest, summary["first"], summary["last"], loop_id=loop.pk, counts=rest))
    return lanes


def build(execution: Execution) -> Timeline:
    """The lanes of ``execution`` in the order tasks started, each loop followed by its items."""
    tasks = list(
        execution.task_executions.filter(parent_task_execution__isnull=True)
        .only("id", "execution_id", "task_name", "status", "start_date", "end_date", "created_at")
        .order_by("created_at", "id")[: MAX_TASK_LANES + 1]
    )
    hidden = 0
    if len(tasks) > MAX_TASK_LANES:
        hidden = execution.task_executions.filter(parent_task_execution__isnull=True).count() - MAX_TASK_LANES
        tasks = tasks[:MAX_TASK_LANES]
    summaries = _loop_summaries(execution)
    lanes: list[Lane] = []
    for task in tasks:
        lanes.append(Lane("task", task.task_name, task.status, task.start_date, task.end_date, task.pk))
        if task.pk in summaries:
            lanes.extend(_item_lanes(task, summaries[task.pk]))
    starts = [lane.start for lane in lanes if lane.start]
    ends = [lane.end or timezone.now() for lane in lanes if lane.start]
    start = execution.start_date or (min(starts) if starts else None)
    end = execution.end_date or (max(ends) if ends else None)
    return Timeline(lanes, start, end, hidden)
