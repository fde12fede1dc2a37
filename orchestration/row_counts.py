"""Counting rows without reading a million of them: exact up to a cap, estimated beyond.

A page that shows "how many" (the console's and the admin's page counts, the vSphere
task list's ``total_count``) would otherwise run ``COUNT(*)`` over a tenant's whole
history on every page, costing more than the page itself. Up to ``cap`` rows the count
is exact (``COUNT`` over ``LIMIT cap + 1``); beyond, it is PostgreSQL's own estimate for
the query (``EXPLAIN``: statistics only, nothing read). Other databases (the embedded
SQLite) count exactly: they hold small installations.
"""
from __future__ import annotations

import json

from django.db import connections
from django.db.models import QuerySet

CAP = 10_000


def count(rows: QuerySet, cap: int = CAP) -> tuple[int, bool]:
    """The number of ``rows`` and whether it is an estimate (only ever past ``cap``)."""
    if connections[rows.db].vendor != "postgresql":
        return rows.count(), False
    exact = rows.order_by()[: cap + 1].count()  # unordered: PostgreSQL stops at the cap, in any order
    if exact <= cap:
        return exact, False
    return max(planner_estimate(rows), exact), True


def planner_estimate(rows: QuerySet) -> int:
    """How many rows PostgreSQL expects ``rows`` to return."""
    sql, params = rows.order_by().query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
