"""The faces' ``NextToken``: a keyset cursor over querysets — every row once, stable while rows
are added, no OFFSET in the SQL — and refused when it comes from another listing."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orchestration.errors import InvalidParameter
from orchestration.faces.paging import page
from orchestration.models import Execution

pytestmark = pytest.mark.django_db

BASE = timezone.now() - dt.timedelta(days=1)


def execution(tenant, minutes: int, ended: bool = True) -> Execution:
    row = Execution.objects.create(tenant=tenant, template_name="t", template_version="v1", template_content="{}")
    moment = BASE + dt.timedelta(minutes=minutes)
    Execution.objects.filter(pk=row.pk).update(start_date=moment, end_date=moment if ended else None)
    return row


def walk(queryset, size: int) -> list[str]:
    seen, token = [], None
    while True:
        rows, token = page(queryset, token, size)
        seen.extend(row.pk for row in rows)
        if not token:
            return seen


def test_every_row_once_in_order_without_offset(tenant_a):
    made = [execution(tenant_a, m) for m in (5, 1, 4, 1, 3, 2, 1)]  # ties broken by the primary key
    rows = Execution.objects.filter(tenant=tenant_a).order_by(F("start_date").desc(nulls_last=True), "pk")
    expected = list(rows.values_list("pk", flat=True))
    assert walk(rows, 3) == expected and sorted(expected) == sorted(e.pk for e in made)
    _, token = page(rows, None, 3)
    with CaptureQueriesContext(connection) as queries:
        page(rows, token, 3)
    assert "OFFSET" not in queries.captured_queries[-1]["sql"].upper()


def test_rows_added_meanwhile_do_not_shift_the_next_page(tenant_a):
    for m in range(6):
        execution(tenant_a, m)
    rows = Execution.objects.filter(tenant=tenant_a).order_by("-created_at", "pk")
    first, token = page(rows, None, 3)
    execution(tenant_a, 100)  # newer than everything: an offset would now repeat a row
    second, _ = page(rows, token, 3)
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert max(r.created_at for r in second) < min(r.created_at for r in first)


def test_null_values_come_last_and_are_not_lost(tenant_a):
    for m in range(4):
        execution(tenant_a, m, ended=m % 2 == 0)
    rows = Execution.objects.filter(tenant=tenant_a).order_by(F("end_date").asc(nulls_last=True), "pk")
    seen = walk(rows, 1)
    assert seen == list(rows.values_list("pk", flat=True)) and len(seen) == 4
    assert [Execution.objects.get(pk=pk).end_date is None for pk in seen] == [False, False, True, True]


def test_a_token_from_another_listing_or_forged_is_refused(tenant_a):
    for m in range(4):
        execution(tenant_a, m)
    by_start = Execution.objects.filter(tenant=tenant_a).order_by("-start_date", "pk")
    _, token = page(by_start, None, 2)
    by_name = Execution.objects.filter(tenant=tenant_a).order_by("template_name", "pk")
    for bad in (token, "bm90LWEtdG9rZW4", "%%%"):
        with pytest.raises(InvalidParameter, match="NextToken"):
            page(by_name if bad == token else by_start, bad, 2)


def test_lists_page_by_offset():
    items = list(range(7))
    first, token = page(items, None, 5)
    second, end = page(items, token, 5)
    assert first + second == items and end == ""
