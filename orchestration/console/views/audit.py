"""The audit trail page: the selected tenant's state-changing calls, for its admins.

Rows come from ``AuditEvent.objects.for_user(user, MANAGE)`` narrowed to the selected
tenant, filtered by the native API's own filter set (one read path for the trail), and
paged by keyset (older than the last row shown): the trail only grows, so no page ever
costs a COUNT or an OFFSET.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from orchestration.api.filtersets.audit import AuditEventFilterSet
from orchestration.console import selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.pages import render_page
from orchestration.errors import Forbidden
from orchestration.models import AuditEvent, AuditResult, Face, Scope

ACTIVE = "audit"
PAGE_SIZE = 50
FILTERS = ("created_after", "created_before", "actor", "face", "action", "object_id", "result")


def _older_than(rows: QuerySet, before: str) -> QuerySet:
    """Rows after event ``before`` in the list's order (newest first); an unknown id starts from the top."""
    last = rows.filter(pk=before).values("created_at", "pk").first() if before.isdigit() else None
    if last is None:
        return rows
    return rows.filter(Q(created_at__lt=last["created_at"]) | Q(created_at=last["created_at"], pk__lt=last["pk"]))


@signed_in
@service_errors(ACTIVE)
def audit_list(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    if not selection.can(request, tenant, Scope.MANAGE):
        raise Forbidden(_("Only administrators of this tenant can read its audit trail."))
    rows = selection.scoped(request, AuditEvent, tenant, Scope.MANAGE)
    chosen = QueryDict(mutable=True)
    for name in FILTERS:
        chosen.setlist(name, [value for value in request.GET.getlist(name) if value])
    filters = AuditEventFilterSet(chosen, queryset=rows)
    rows = filters.qs if filters.is_valid() else rows.none()
    rows = _older_than(rows.order_by("-created_at", "-pk"), request.GET.get("before", ""))
    page = list(rows[: PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "events": page[:PAGE_SIZE],
        "older": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
        "paged": "before" in request.GET,
        "query": query.urlencode(),
        "filters": filters,
        "values": {name: request.GET.get(name, "") for name in FILTERS},
        "faces": Face.choices,
        "results": AuditResult.choices,
    }
    if request.htmx and request.htmx.target == "audit-results":
        return render(request, "console/audit/_results.html", context)
    return render_page(request, "console/audit/list.html", context, active=ACTIVE)
