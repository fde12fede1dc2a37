"""vSphere pages: vCenters with their sync status, the inventory browser, recent vSphere tasks.

Rows come from ``vsphere.models`` through ``selection.scoped`` (``for_user`` plus the
selected tenant), exactly what the native API shows that tenant. The two buttons are
service calls: ``vsphere.services.vcenters.check_connection`` and
``vsphere.services.sync.sync_vcenter``, the functions behind the API's
``test-connection`` and ``sync`` actions; both record their outcome on the vCenter row,
which is what this page then shows. Only tenant admins (``Scope.MANAGE``) get them; they
use the platform's stored settings, which nobody changes from here.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orchestration.console import inventory, labels, selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.pages import render_page
from orchestration.errors import Forbidden, InvalidParameter, NotFound
from orchestration.models import Scope, Tenant, is_platform_staff
from orchestration.paginators import EstimatedCountPaginator
from vsphere.models import EntityType, InventoryObject, SyncStatus, TaskState, VCenter, VSphereTask
from vsphere.services import task_queries
from vsphere.services.sync import sync_vcenter
from vsphere.services.vcenters import check_connection

TASK_PAGE_SIZE = 50


def _vcenters(request: HttpRequest, scope: str = Scope.VIEW):
    return selection.scoped(request, VCenter, selection.current(request).tenant, scope)


@signed_in
def vcenter_list(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    vcenters = list(
        _vcenters(request)
        .select_related("region")
        .annotate(
            vm_count=Count("inventory", filter=Q(inventory__type=EntityType.VM), distinct=True),
            host_count=Count("inventory", filter=Q(inventory__type=EntityType.HOST), distinct=True),
        )
        .order_by("name", "id")
    )
    # How a vCenter is reached is the platform's business; tenants see what it is and how it syncs.
    context = {"vcenters": vcenters, "can_manage": selection.can(request, tenant, Scope.MANAGE),
               "show_endpoint": is_platform_staff(request.user)}
    return render_page(request, "console/vsphere/vcenters.html", context, active="vsphere")


@signed_in
@require_POST
@service_errors("vsphere")
def vcenter_act(request: HttpRequest, vcenter_id: int) -> HttpResponse:
    """Test the connection or sync now: tenant admins only, one service call each."""
    tenant = selection.current(request).tenant
    if not selection.can(request, tenant, Scope.MANAGE):
        raise Forbidden(_("Only administrators of this tenant can test or sync its vCenters."))
    vcenter = _vcenters(request, Scope.MANAGE).filter(pk=vcenter_id).first()
    if vcenter is None:
        raise NotFound("VCenter", str(vcenter_id))
    action = request.POST.get("action", "")
    if action == "test":
        check = check_connection(vcenter)
        if check.ok:
            messages.success(request, _("%(name)s: connection works (%(version)s, %(seconds).1f s).")
                             % {"name": vcenter.name, "version": check.version, "seconds": check.seconds})
        else:
            messages.error(request, _("%(name)s: connection failed: %(reason)s")
                           % {"name": vcenter.name, "reason": check.message})
    elif action == "sync":
        summary = sync_vcenter(vcenter)
        if summary["ok"]:
            found = summary.get("inventory", {}).get("objects", 0)
            fetched = summary.get("tasks", {}).get("fetched", 0)
            messages.success(request, _("%(name)s synced: %(objects)d inventory objects, %(tasks)d tasks read.")
                             % {"name": vcenter.name, "objects": found, "tasks": fetched})
        else:
            messages.error(request, _("%(name)s: sync failed: %(reason)s")
                           % {"name": vcenter.name, "reason": summary["error"]})
    else:
        raise InvalidParameter("action", "unknown action")
    return redirect("console:vsphere")


def sync_health(request: HttpRequest, tenant: Tenant | None) -> dict[str, Any]:
    """The dashboard's panel: the selected tenant's vCenters by last sync outcome."""
    vcenters = list(_vcenters(request).order_by("name", "id"))
    counts = {value: 0 for value in SyncStatus.values}
    for v in vcenters:
        counts[v.last_sync_status] = counts.get(v.last_sync_status, 0) + 1
    return {
        "vcenter_sync": {
            "vcenters": vcenters[:6],
            "total": len(vcenters),
            "counts": [(value, labels.label(value, "sync"), n) for value, n in counts.items()],
        }
    }


@signed_in
def inventory_browser(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    vcenters = list(_vcenters(request).order_by("name", "id"))
    wanted = request.GET.get("vcenter", "")
    if wanted.isdigit():
        vcenters = [v for v in vcenters if v.pk == int(wanted)] or vcenters
    query = request.GET.get("q", "").strip()[:200]
    objects = selection.scoped(request, InventoryObject, tenant)
    trees, truncated = inventory.build(objects, vcenters, query)
    context = {
        "trees": trees,
        "truncated": truncated,
        "q": query,
        "vcenter_choices": list(_vcenters(request).order_by("name", "id")),
        "vcenter_id": wanted,
        "open_all": bool(query),
        "max_objects": inventory.MAX_OBJECTS,
    }
    if request.htmx and request.htmx.target == "inventory-results":
        return render(request, "console/vsphere/_inventory_tree.html", context)
    return render_page(request, "console/vsphere/inventory.html", context, active="vsphere")


@signed_in
def task_list(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    queryset = selection.scoped(request, VSphereTask, tenant).select_related("vcenter")
    name = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    entity = request.GET.get("entity", "").strip()[:200]
    vcenter = request.GET.get("vcenter", "")
    queryset = task_queries.filter_name(queryset, name)
    if status in TaskState.values:
        queryset = queryset.filter(status=status)
    if entity:
        queryset = queryset.filter(
            Q(entity__icontains=entity) | Q(target__icontains=entity) | Q(entity_moref=entity)
        )
    if vcenter.isdigit():
        queryset = queryset.filter(vcenter_id=int(vcenter))
    rows = task_queries.newest_first(queryset)
    page = EstimatedCountPaginator(rows, TASK_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "q": name,
        "status": status,
        "entity": entity,
        "vcenter_id": vcenter,
        "statuses": labels.choices(TaskState.values, "vsphere_task"),
        "vcenter_choices": list(_vcenters(request).order_by("name", "id")),
        "query": query.urlencode(),
        "poll": any(t.status in (TaskState.QUEUED, TaskState.RUNNING) for t in page),
    }
    if request.htmx and request.htmx.target == "task-results":
        return render(request, "console/vsphere/_task_results.html", context)
    return render_page(request, "console/vsphere/tasks.html", context, active="vsphere")
