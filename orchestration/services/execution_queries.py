"""The one read path of executions: which of the rows a caller may see match a filter.

The native API's query filters, the Alibaba face's ``ListExecutions``, the in-template
``ListExecutions`` and the console's list each translate their own parameters into an
:class:`ExecutionFilter` and call :func:`filter_executions` on the caller's scoped rows;
none of them filters executions itself, so a filter means the same on every face (the
admin's search uses :func:`template_name_contains` too). Ordering and paging stay with
each face (their wire formats differ); every filter here is a plain indexed condition (no
``DISTINCT``: nothing here joins rows that could repeat). A template-name filter reads the
distinct names first, one query while the filter is built.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
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
        "tenant": spec.tenant, "template_id": spec.template_id,
        "mode": spec.mode, "trigger": spec.trigger, "executed_by": spec.executed_by, **time_bounds(spec),
    }
    rows = rows.filter(**{lookup: value for lookup, value in conditions.items() if value is not None})
    if spec.ids:
        rows = rows.filter(pk__in=list(spec.ids))
    if spec.template_name:
        rows = rows.filter(template_name_contains(spec.template_name, rows.db))
    if spec.search:
        rows = rows.filter(Q(pk=spec.search) | template_name_contains(spec.search, rows.db))
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


NAME_SCAN_LIMIT = 500  # distinct template names read before a substring match falls back to trigrams

_DISTINCT_NAMES_MATCHING = """
WITH RECURSIVE names(name, n) AS (
    (SELECT template_name, 1 FROM {table} ORDER BY template_name LIMIT 1)
  UNION ALL
    SELECT (SELECT e.template_name FROM {table} e WHERE e.template_name > names.name
            ORDER BY e.template_name LIMIT 1), names.n + 1
    FROM names WHERE names.name IS NOT NULL AND names.n <= %s
)
SELECT COUNT(*) > %s, ARRAY_AGG(name) FILTER (WHERE UPPER(name) LIKE UPPER(%s))
FROM names WHERE name IS NOT NULL
"""


def template_name_contains(part: str, using: str = "default") -> Q:
    """Executions whose template name contains ``part``, ignoring case.

    Executions name few templates (a catalogue) and run each many times. A trigram match
    over the rows costs by how many rows share the term's trigrams, and every run of a
    matching template shares all of them: ~40 ms a scan at a million rows. On PostgreSQL
    the distinct names are read instead (a skip scan of the ``template_name`` index, one
    descent per name, every tenant's: the rows stay scoped by the caller's queryset),
    matched with the same ``UPPER … LIKE`` as ``icontains``, and the rows found by name
    through a b-tree. With more than :data:`NAME_SCAN_LIMIT` distinct names the trigram
    match is used: varied names are what it is good at.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return Q(template_name__icontains=part)
    pattern = f"%{connection.ops.prep_for_like_query(part)}%"
    with connection.cursor() as cursor:
        cursor.execute(_DISTINCT_NAMES_MATCHING.format(table=connection.ops.quote_name(Execution._meta.db_table)),
                       [NAME_SCAN_LIMIT, NAME_SCAN_LIMIT, pattern])
        too_many, names = cursor.fetchone()
    if too_many:
        return Q(template_name__icontains=part)
    return Q(template_name__in=names or [])
