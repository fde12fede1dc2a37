"""The dashboard: what an operator looks at first.

Built from panels, each a context function plus a block in ``console/dashboard.html``;
a new panel means a context function (here or beside its area's views, as the vCenter
sync health lives in ``views/vsphere.py``), an entry in ``PANELS`` and its ``{% block %}``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from orchestration.console import charts, selection
from orchestration.console.access import signed_in
from orchestration.console.pages import render_page
from orchestration.console.views import executions, vsphere
from orchestration.models import Execution, ExecutionStatus, Scope, Tenant
from orchestration.services import execution_stats
from templates_app.models import ShareType, Template

PanelContext = Callable[[HttpRequest, Tenant | None], dict[str, Any]]


def template_counts(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    own = selection.scoped(request, Template, tenant)
    public = Template.objects.for_user(request.user, Scope.VIEW).filter(share_type=ShareType.PUBLIC)
    return {
        "template_counts": {
            "own": own.count(),
            "public": public.count(),
            "executions": own.aggregate(n=Sum("total_execution_count"))["n"] or 0,
        }
    }


def builtin_templates(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    public = Template.objects.for_user(request.user, Scope.VIEW).filter(share_type=ShareType.PUBLIC)
    return {"builtin_templates": public.order_by("-popularity", "name")[:8]}


def recent_templates(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    return {"recent_templates": selection.scoped(request, Template, tenant).order_by("-updated_at")[:5]}


def executions_by_status(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    counts = executions.status_counts(request)
    rows = [(value, label, counts.get(value, 0)) for value, label in ExecutionStatus.choices]
    total = sum(int(str(n).lstrip("~")) for n in counts.values())
    estimated = any(isinstance(n, str) for n in counts.values())
    return {"executions_by_status": rows, "executions_total": f"~{total}" if estimated else total}


def waiting_approvals(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    waiting = executions.waiting_for_people(request)
    return {"waiting_approvals": list(waiting[:5]), "waiting_approvals_count": waiting.count()}


def recent_failures(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    failed = selection.scoped(request, Execution, tenant).filter(status=ExecutionStatus.FAILED, parent__isnull=True)
    return {"recent_failures": list(failed.order_by("-end_date", "-created_at")[:5])}


TREND_DAYS = 30


TREND_SECONDS = 60


def trends_context(rows: QuerySet[Execution]) -> dict[str, Any]:
    """Runs per day by status, the success rate and p50/p95 per template over the last 30 days."""
    days, durations = execution_stats.per_day(rows, TREND_DAYS), execution_stats.durations(rows, TREND_DAYS)
    rate = execution_stats.success_rate(days)
    since = days[0].date.isoformat()
    return {
        "trend_days": TREND_DAYS,
        "daily_chart": charts.daily(days),
        "success_rate": None if rate is None else round(rate * 100, 1),
        "success_href": charts.list_url(status=ExecutionStatus.SUCCESS, since=since),
        "failed_href": charts.list_url(status=ExecutionStatus.FAILED, since=since),
        "duration_chart": charts.durations(durations, since),
    }


def execution_trends(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    """The trends section, drawn at most once a minute per tenant, window, language and time zone.

    Its aggregates read a month of a tenant's executions (~170 ms at a million) and its
    pictures are ~150 SVG shapes (~25 ms to render): the drawn section is kept. Whoever
    sees the dashboard of a tenant may see all of its executions, so the same section
    serves every member.
    """
    rows = selection.scoped(request, Execution, tenant)

    def draw() -> str:
        return str(render_to_string("console/_trends.html", trends_context(rows)))

    if tenant is None:  # nothing to show, nothing to keep
        return {"trends_html": mark_safe(draw())}
    window = execution_stats.window_start(TREND_DAYS).date().isoformat()
    key = f"dashboard-trends:{tenant.pk}:{window}:{get_language()}:{timezone.get_current_timezone_name()}"
    return {"trends_html": mark_safe(cache.get_or_set(key, draw, TREND_SECONDS))}  # drawn by our template


PANELS: list[PanelContext] = [
    template_counts,
    builtin_templates,
    recent_templates,
    executions_by_status,
    waiting_approvals,
    recent_failures,
    vsphere.sync_health,
    execution_trends,
]


@signed_in
def dashboard(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    context: dict[str, Any] = {}
    for panel in PANELS:
        context.update(panel(request, tenant))
    return render_page(request, "console/dashboard.html", context, active="dashboard")
