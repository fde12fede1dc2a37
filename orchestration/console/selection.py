"""The tenant and project an operator is working in, kept in the session.

Every console page narrows rows to the selected tenant here, on top of the one
scoping mechanism, ``Model.objects.for_user(user, scope)``: a tenant id in the
session is only honoured if ``Tenant.objects.for_user`` still returns it, so a
revoked membership or a tampered session never widens what a user sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from orchestration.authorization import allows
from orchestration.models import Project, Scope, Tenant

TENANT_KEY = "console.tenant"
PROJECT_KEY = "console.project"
SELECTION_ATTR = "_console_selection"


@dataclass
class Selection:
    """What the switcher shows: the tenants a user may pick, and the current choice."""

    tenant: Tenant | None
    project: Project | None
    tenants: list[Tenant] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


def current(request: HttpRequest) -> Selection:
    """The selected tenant (falling back to the user's first one) and project, validated.

    Read once per request (every panel and the layout ask for it) and kept on the request.
    """
    if SELECTION_ATTR not in request.__dict__:
        request.__dict__[SELECTION_ATTR] = _read(request)
    return request.__dict__[SELECTION_ATTR]


def _read(request: HttpRequest) -> Selection:
    tenants = list(Tenant.objects.for_user(request.user, Scope.VIEW).order_by("name"))
    wanted = request.session.get(TENANT_KEY)
    tenant = next((t for t in tenants if t.pk == wanted), tenants[0] if tenants else None)
    projects = list(Project.objects.for_user(request.user, Scope.VIEW).filter(tenant=tenant)) if tenant else []
    wanted_project = request.session.get(PROJECT_KEY)
    project = next((p for p in projects if p.pk == wanted_project), None)
    return Selection(tenant=tenant, project=project, tenants=tenants, projects=projects)


def choose(request: HttpRequest, tenant_id: int | None, project_id: str | None) -> Selection:
    """Store a new choice; ids the user may not see are ignored, not trusted."""
    tenant = Tenant.objects.for_user(request.user, Scope.VIEW).filter(pk=tenant_id).first() if tenant_id else None
    if tenant is not None:
        request.session[TENANT_KEY] = tenant.pk
    # A project belongs to one tenant: one of another tenant (the switcher still showing
    # the old tenant's projects) is dropped.
    projects = Project.objects.for_user(request.user, Scope.VIEW)
    project = projects.filter(pk=project_id, tenant_id=request.session.get(TENANT_KEY)).first() if project_id else None
    request.session[PROJECT_KEY] = project.pk if project else None
    request.__dict__.pop(SELECTION_ATTR, None)  # the choice changed: read it again
    return current(request)


def can(request: HttpRequest, tenant: Tenant | None, scope: str) -> bool:
    """Whether the user's role in ``tenant`` grants ``scope`` (RUN to write and run, MANAGE to delete)."""
    return tenant is not None and allows(request.user, tenant, scope)


def scoped(
    request: HttpRequest,
    model: type[Model],
    tenant: Tenant | None,
    scope: str = Scope.VIEW,
    *,
    also: Q | None = None,
) -> QuerySet:
    """``model``'s rows the user may reach with ``scope``, inside the selected tenant.

    ``also`` adds rows visible beside the tenant's own (public templates).
    """
    visible = model.objects.for_user(request.user, scope)
    inside = Q(**{model.tenant_lookup: tenant}) if tenant is not None else Q(pk__in=[])
    return visible.filter(inside | also if also is not None else inside)
