"""Which executions a console page may show: the selected tenant's, through the one scoping mechanism.

Every execution page (detail, logs, downloads, bulk actions) picks its rows here, so a
row of another tenant is a 404 on all of them alike.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from orchestration.console import selection
from orchestration.errors import NotFound
from orchestration.models import Execution, Membership, Scope, TaskExecution, TaskStatus, Tenant, WaitingFor


def scoped_executions(request: HttpRequest, scope: str = Scope.VIEW) -> QuerySet[Execution]:
    return selection.scoped(request, Execution, selection.current(request).tenant, scope)


def find_execution(request: HttpRequest, execution_id: str) -> Execution:
    found = scoped_executions(request).filter(pk=execution_id).select_related("template", "parent").first()
    if found is None:
        raise NotFound("Execution", execution_id)
    return found


def waiting_approvals(request: HttpRequest, tenant: Tenant | None) -> QuerySet[TaskExecution]:
    """Task executions of ``tenant`` waiting for a person's approval or risk confirmation, oldest first."""
    return (
        selection.scoped(request, TaskExecution, tenant)
        .filter(status=TaskStatus.WAITING, extra__waiting_for__in=WaitingFor.approvals())
        .order_by("created_at")
    )


BADGE_CAP = 99


def waiting_approval_count(request: HttpRequest, tenant: Tenant | None) -> int:
    """How many approvals wait (the sidebar's badge), counted up to ``BADGE_CAP + 1`` at most."""
    if tenant is None:
        return 0
    return waiting_approvals(request, tenant).order_by().values("pk")[: BADGE_CAP + 1].count()


def members(tenant: Tenant | None) -> list[str]:
    """User names of the tenant's members: suggestions for the list's "started by" filter."""
    if tenant is None:
        return []
    return list(Membership.objects.filter(tenant=tenant).order_by("user__username")
                .values_list("user__username", flat=True)[:200])
