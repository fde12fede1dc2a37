"""The one read path of OrchTasks: which of the tasks a caller may see match a filter.

UCloud's ``DescribeOrchTask``, Huawei AOM's workflow list, the native ``/orch-tasks/``
filters and the console's list translate their parameters into an :class:`OrchTaskFilter`
and call :func:`filter_orch_tasks` on the caller's scoped tasks. Ordering, paging and the
wire shapes stay with each face. A task's status is derived from its latest execution
(:func:`orchestration.services.orchtask_runs.status_filter`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from orchestration.models import OrchTask, Tenant
from orchestration.services.orchtask_runs import status_filter


@dataclass(frozen=True)
class OrchTaskFilter:
    """What to keep; ``None`` (or empty) means "any"."""

    tenant: Tenant | None = None
    ids: Sequence[str] = ()
    project_id: str | None = None
    region_id: str | None = None
    task_type: str | None = None
    resource_type: str | None = None
    keyword: str | None = None  # in the name or remark (contains, ignoring case), or the TaskID
    statuses: Sequence[str] = ()  # OrchTaskStatus values: any of them
    cancel_requested: bool | None = None  # of the latest execution
    created_by: str | None = None  # a user name
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None


def filter_orch_tasks(rows: QuerySet[OrchTask], spec: OrchTaskFilter) -> QuerySet[OrchTask]:
    """``rows`` (already scoped to what the caller may see) narrowed to ``spec``."""
    conditions = {
        "tenant": spec.tenant, "project_id": spec.project_id, "region_id": spec.region_id,
        "task_type": spec.task_type, "resource_type": spec.resource_type, "created_by__username": spec.created_by,
        "created_at__gte": spec.created_after, "created_at__lte": spec.created_before,
        "latest_execution__cancel_requested": spec.cancel_requested,
    }
    rows = rows.filter(**{lookup: value for lookup, value in conditions.items() if value is not None})
    if spec.ids:
        rows = rows.filter(pk__in=list(spec.ids))
    if spec.keyword:
        rows = rows.filter(Q(name__icontains=spec.keyword) | Q(remark__icontains=spec.keyword) | Q(pk=spec.keyword))
    if spec.statuses:
        matching = Q(pk__in=[])
        for status in spec.statuses:
            matching |= status_filter(status)
        rows = rows.filter(matching)
    return rows
