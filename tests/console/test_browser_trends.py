"""Dashboard trends: runs per day by status, success rate, p50/p95 per template, each a link to the list."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from orchestration.authorization import SYSTEM
from orchestration.models import Execution, ExecutionStatus
from orchestration.services import execution_stats
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import VALID
from tests.console.test_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

expect = pytest.importorskip("playwright.sync_api").expect


def ran(tenant, user, template, status: str, days_ago: int, seconds: float) -> Execution:
    """An execution started through the service, then moved into the past as if it had run then."""
    execution = service.start_execution(tenant=tenant, user=user, template=template, safety_check="Skip")
    created = timezone.now() - dt.timedelta(days=days_ago)
    finished = status in execution_stats.FINISHED
    Execution.objects.filter(pk=execution.pk).update(
        status=status, created_at=created, start_date=created,
        end_date=created + dt.timedelta(seconds=seconds) if finished else None,
    )
    return execution


@pytest.fixture
def history(tenant_a, tenant_b, operator_a, admin_b):
    backup = create_template(tenant=tenant_a, actor=SYSTEM, name="nightly-backup", content=VALID)
    patch = create_template(tenant=tenant_a, actor=SYSTEM, name="patch-window", content=VALID)
    for seconds in (10, 20, 30):
        ran(tenant_a, operator_a, backup, ExecutionStatus.SUCCESS, 2, seconds)
    failed = ran(tenant_a, operator_a, backup, ExecutionStatus.FAILED, 2, 5)
    ran(tenant_a, operator_a, patch, ExecutionStatus.SUCCESS, 0, 120)
    ran(tenant_a, operator_a, patch, ExecutionStatus.RUNNING, 0, 0)
    ran(tenant_a, operator_a, patch, ExecutionStatus.SUCCESS, 40, 1)  # outside the 30 days
    other = create_template(tenant=tenant_b, actor=SYSTEM, name="globex-job", content=VALID)
    ran(tenant_b, admin_b, other, ExecutionStatus.FAILED, 1, 9)  # another tenant's: never counted
    return failed


def test_aggregates_in_sql_match_the_portable_fallback(history, tenant_a):
    rows = Execution.objects.filter(tenant=tenant_a)
    days = execution_stats.per_day(rows)
    assert len(days) == 30 and days[-1].date == timezone.localdate()
    assert days[-3].counts == {"Success": 3, "Failed": 1}
    assert execution_stats.success_rate(days) == pytest.approx(4 / 5)
    in_sql = execution_stats.durations(rows)
    assert [(d.template_name, d.runs) for d in in_sql] == [("nightly-backup", 4), ("patch-window", 1)]
    assert (in_sql[0].p50, in_sql[0].p95) == (pytest.approx(15.0), pytest.approx(28.5))  # of 5, 10, 20, 30 s
    timed = rows.filter(parent__isnull=True, status__in=execution_stats.FINISHED,
                        created_at__gte=execution_stats.window_start(30))
    portable = execution_stats._durations_in_python(timed, 10)
    assert [(d.template_name, d.runs, round(d.p50, 3), round(d.p95, 3)) for d in portable] == [
        (d.template_name, d.runs, round(d.p50, 3), round(d.p95, 3)) for d in in_sql
    ]


@pytest.mark.browser
def test_dashboard_pictures_link_to_the_filtered_list(page, screenshot, history, operator_a):
    log_in(page, "oscar", "pw-oscar")
    trends = page.locator("section.trends")
    expect(trends.locator("#success-rate")).to_contain_text("80.0%")
    two_days_ago = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    expect(trends.locator(f"rect.bar[data-day='{two_days_ago}']")).to_have_count(2)
    expect(trends.locator("rect.bar")).to_have_count(4)  # Success+Failed two days ago, Success+Running today
    backup = trends.locator("a.duration-row[data-template='nightly-backup']")
    expect(backup).to_contain_text("p50 15.0 s · p95 28.5 s")
    screenshot("dashboard-trends")

    trends.locator(f"rect.bar[data-day='{two_days_ago}'][data-status='Failed']").click()
    day = rf"(?=.*since={two_days_ago})(?=.*until={two_days_ago})"
    expect(page).to_have_url(re.compile(rf"/console/executions/\?(?=.*status=Failed){day}"))
    expect(page.locator("#execution-results")).to_contain_text(history.pk)

    page.goto("/console/")
    page.locator("a.duration-row[data-template='patch-window']").click()
    expect(page).to_have_url(re.compile(r"/console/executions/\?(?=.*q=patch-window)(?=.*since=)"))
    expect(page.locator("#execution-results")).not_to_contain_text("nightly-backup")
