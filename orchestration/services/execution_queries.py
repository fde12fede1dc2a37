"""The one read path of executions: which of the rows a caller may see match a filter.

The native API's query filters, the Alibaba face's ``ListExecutions`` and the console's
list each translate their own parameters into an :class:`ExecutionFilter` and call
:func:`filter_executions` on the caller's scoped rows; none of them filters executions
itself, so a filter means the same on every face. Ordering and paging stay with each
face (their wire formats differ); every filter here is a plain indexed condition (no
``DISTINCT``: nothing here joins rows that could repeat).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from orchestration.models import Execution, Tenant
from orchestration.services import tags as tag_service
from orchestration.services.executions import TAG_RESOURCE

TOP_LEVEL = "none"  # ``parent`` value: only executions without a parent


@dataclass(frozen=True)
class ExecutionFilter:
    """What to keep; ``None`` (or empty) means "any". Children of ``ACS::Template`` tasks are
    left out unless ``parent`` names one or ``include_children`` is set."""

    tenant: Tenant | None = None
    ids: Sequence[str] = ()
    template_id: str | None = None
    template_name: str | None = None  # contains, ignoring case
    statuses: Sequence[str] = ()
    mode: str | None = None
    trigger: str | None = None
    executed_by: str | None = None
    parent: str | None = None  # an execution id, or TOP_LEVEL
    include_children: bool = False
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    ended_after: dt.datetime | None = None
    ended_before: dt.datetime | None = None
    tags: Mapping[str, str | None] = field(default_factory=dict)  # key → value, or None for any value
    search: str | None = None  # an execution id exactly, or part of the template name


def time_bounds(spec: Any) -> dict[str, dt.datetime | None]:
    """The created/started/ended after/before bounds of a filter (executions' and task executions'), as lookups."""
    return {
        "created_at__gte": spec.created_after, "created_at__lte": spec.created_before,
        "start_date__gte": spec.started_after, "start_date__lte": spec.started_before,
        "end_date__gte": spec.ended_after, "end_date__lte": spec.ended_before,
    }


def filter_executions(rows: QuerySet[Execution], spec: ExecutionFilter) -> QuerySet[Execution]:
    """``rows`` (already scoped to what the caller may see) narrowed to ``spec``."""
    conditions = {
        "tenant": spec.tenant, "template_id": spec.template_id, "template_name__icontains": spec.template_name,
        "mode": spec.mode, "trigger": spec.trigger, "executed_by": spec.executed_by, **time_bounds(spec),
    }
    rows = rows.filter(**{lookup: value for lookup, value in conditions.items() if value is not None})
    if spec.ids:
        rows = rows.filter(pk__in=list(spec.ids))
    if spec.search:
        rows = rows.filter(Q(pk=spec.search) | Q(template_name__icontains=spec.search))
    if spec.statuses:
        rows = rows.filter(status__in=list(spec.statuses))
    if spec.parent is not None:
        rows = rows.filter(parent__isnull=True) if spec.parent.lower() == TOP_LEVEL else rows.filter(
            parent_id=spec.parent)
    elif not spec.include_children:
        rows = rows.filter(parent__isnull=True)
    if spec.tags:
        rows = tag_service.filter_by_tags(rows, TAG_RESOURCE, spec.tags)
    return rows
