"""Pagination classes of the native API.

Small tables use page numbers. Executions, task executions and logs grow without
bound, so they use keyset cursors: a page is found by the sort key and the primary
key of the row before it, never by an OFFSET, so page 1,000 costs what page 1 costs
and rows inserted meanwhile neither repeat nor vanish.
"""
from __future__ import annotations

import datetime as dt
import json

from django.db.models import F, Q
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from orchestration import wire_parameters
from orchestration.paginators import EstimatedCountPaginator


class StrictPageSize:
    """``?page_size=`` read by the rule every face shares: a bad value is a 400 naming it, never ignored."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        return wire_parameters.page_size(request.query_params.get(self.page_size_query_param),
                                           self.page_size_query_param, maximum=self.max_page_size,
                                           default=self.page_size)


class PageNumberPagination(StrictPageSize, pagination.PageNumberPagination):
    """``?page=N&page_size=M`` (1 to 1000 a page)."""


class EstimatedPageNumberPagination(PageNumberPagination):
    """``?page=N`` over tables of millions of rows (synced vSphere tasks): ``count`` is exact up
    to 10,000 rows and PostgreSQL's estimate beyond, instead of a ``COUNT(*)`` on every page."""

    django_paginator_class = EstimatedCountPaginator


class KeysetCursorPagination(StrictPageSize, pagination.CursorPagination):
    """``?cursor=…&page_size=M``: keyset pages on (sort field, primary key).

    Unlike DRF's own cursor (one field plus an offset), ties and NULLs are exact:
    sorting by ``status`` or by an ``end_date`` that running rows lack pages through
    every row once. A NULL sorts as greater than every value (PostgreSQL's rule).
    The sort field is the first ``?ordering=`` field (see ``ordering_fields`` on the
    view) or ``ordering`` here; the primary key breaks ties in the same direction.
    """

    ordering = "-created_at"
    invalid_cursor_message = "Invalid cursor."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        self.field = self.ordering[0].lstrip("-")
        descending = self.ordering[0].startswith("-")
        reverse = bool(self.cursor and self.cursor.reverse)
        scan_descending = descending != reverse

        self.nullable = queryset.model._meta.get_field(self.field).null
        if self.cursor and self.cursor.position is not None:
            queryset = queryset.filter(self._after(self._decode_position(self.cursor.position), scan_descending))
        # PostgreSQL's own NULL placement; spelled out only for a nullable field, where
        # other databases differ (on a NOT NULL column the clause would only hide the index).
        nulls = {"nulls_first": True} if scan_descending else {"nulls_last": True}
        column = F(self.field).desc(**nulls) if scan_descending else F(self.field).asc(**nulls)
        if not self.nullable:
            column = F(self.field).desc() if scan_descending else F(self.field).asc()
        queryset = queryset.order_by(column, "-pk" if scan_descending else "pk")

        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
        came_from_cursor = self.cursor is not None and self.cursor.position is not None
        self.has_next = more if not reverse else came_from_cursor
        self.has_previous = more if reverse else came_from_cursor
        self.display_page_controls = self.template is not None and (self.has_next or self.has_previous)
        return self.page

    def _after(self, position, scan_descending: bool) -> Q:
        """Rows strictly after ``position`` in the scan direction, NULL being the greatest value."""
        value, pk = position
        field = self.field
        if not self.nullable:  # a range the index starts from, not an OR it can only filter with
            if value is None:
                raise NotFound(self.invalid_cursor_message)
            bound, beyond = ("lte", "lt") if scan_descending else ("gte", "gt")
            return Q(**{f"{field}__{bound}": value}) & (
                Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"pk__{beyond}": pk}))
        if scan_descending:
            if value is None:
                return Q(**{f"{field}__isnull": False}) | Q(**{f"{field}__isnull": True, "pk__lt": pk})
            return Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk})
        if value is None:
            return Q(**{f"{field}__isnull": True, "pk__gt": pk})
        return Q(**{f"{field}__gt": value}) | Q(**{f"{field}__isnull": True}) | Q(**{field: value, "pk__gt": pk})

    def _position_of(self, row) -> str:
        value = getattr(row, self.field)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        return json.dumps([value, row.pk], separators=(",", ":"))

    def _decode_position(self, position: str):
        try:
            value, pk = json.loads(position)
        except (TypeError, ValueError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        return value, pk

    def _link(self, row, reverse: bool) -> str:
        return self.encode_cursor(pagination.Cursor(offset=0, reverse=reverse, position=self._position_of(row)))

    def get_next_link(self):
        if not (self.has_next and self.page):
            return None
        return self._link(self.page[-1], reverse=False)

    def get_previous_link(self):
        if not (self.has_previous and self.page):
            return None
        return self._link(self.page[0], reverse=True)


class ExecutionCursorPagination(KeysetCursorPagination):
    """Newest executions first."""

    ordering = "-created_at"


class TaskExecutionCursorPagination(KeysetCursorPagination):
    """Newest first across executions (``/task-executions/``)."""

    ordering = "-created_at"


class RunOrderCursorPagination(KeysetCursorPagination):
    """One execution's task executions in the order they ran."""

    ordering = "created_at"


class LogCursorPagination(KeysetCursorPagination):
    """Log lines oldest first, as a log is read; ``?after_id=`` follows new lines."""

    ordering = "id"

    def get_ordering(self, request, queryset, view):
        return (self.ordering,)


class AuditEventCursorPagination(KeysetCursorPagination):
    """Newest events first; the trail only grows, so keyset pages like executions'."""

    ordering = "-created_at"
