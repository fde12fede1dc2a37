"""The one read path of task executions and of log lines: which rows match a filter.

The native API (``/task-executions/``, an execution's nested lists), Alibaba's
``ListTaskExecutions``/``ListExecutionLogs`` and the console translate their own
parameters into a :class:`TaskExecutionFilter` or :class:`LogFilter` and call the
function here on the caller's scoped rows. Ordering and paging stay with each face.
Every condition is a plain indexed one (the tenant is a column of these rows, not a
join), so no ``DISTINCT`` is ever needed.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from orchestration.models import ExecutionLog, TaskExecution, Tenant
from orchestration.services.execution_queries import time_bounds


@dataclass(frozen=True)
class TaskExecutionFilter:
    """What to keep; ``None`` (or empty) means "any". Loop items are left out unless
    ``parent`` names their loop's task execution or ``include_children`` is set."""

    tenant: Tenant | None = None
    execution_id: str | None = None
    ids: Sequence[str] = ()
    parent: str | None = None  # a loop's task execution id: its items
    include_children: bool = False
    top_level_only: bool = False  # only rows outside any loop, whatever else is asked
    loop_item: str | None = None  # as JSON or plain text
    task_name: str | None = None
    task_action: str | None = None
    statuses: Sequence[str] = ()
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    ended_after: dt.datetime | None = None
    ended_before: dt.datetime | None = None


def filter_task_executions(rows: QuerySet[TaskExecution], spec: TaskExecutionFilter) -> QuerySet[TaskExecution]:
    """``rows`` (already scoped to what the caller may see) narrowed to ``spec``."""
    conditions = {
        "tenant": spec.tenant, "execution_id": spec.execution_id, "parent_task_execution_id": spec.parent,
        "task_name": spec.task_name, "task_action": spec.task_action, **time_bounds(spec),
    }
    rows = rows.filter(**{lookup: value for lookup, value in conditions.items() if value is not None})
    if spec.ids:
        rows = rows.filter(pk__in=list(spec.ids))
    if spec.statuses:
        rows = rows.filter(status__in=list(spec.statuses))
    if spec.loop_item is not None:
        rows = rows.filter(loop_item_matches(spec.loop_item))
    if spec.top_level_only or (spec.parent is None and not spec.include_children and spec.loop_item is None):
        rows = rows.filter(parent_task_execution__isnull=True)
    return rows


def loop_item_matches(text: str) -> Q:
    """A loop item given as text: the item equal to it as a string, or to it read as JSON (``2`` → 2)."""
    match = Q(loop_item=text)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    if parsed != text:
        match |= Q(loop_item=parsed)
    return match


@dataclass(frozen=True)
class LogFilter:
    """Log lines; ``None`` means "any"."""

    execution_id: str | None = None
    task_execution_id: str | None = None
    task_name: str | None = None  # lines of any run of this task
    log_type: str | None = None
    after_id: int | None = None  # only lines written after this one (to follow a running execution)


def filter_logs(rows: QuerySet[ExecutionLog], spec: LogFilter) -> QuerySet[ExecutionLog]:
    """``rows`` (already scoped to what the caller may see) narrowed to ``spec``."""
    conditions = {
        "execution_id": spec.execution_id, "task_execution_id": spec.task_execution_id,
        "task_execution__task_name": spec.task_name, "log_type": spec.log_type, "id__gt": spec.after_id,
    }
    return rows.filter(**{lookup: value for lookup, value in conditions.items() if value is not None})
