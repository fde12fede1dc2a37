"""OrchTask pages: the list, the create/edit form, the detail page with its operations and
per-resource results.

Creating, editing, deleting and operating (Execute, Pause, Resume, Abort, Retry) go
through ``orchestration.services.orchtasks``, the functions the native API calls: roles,
status rules and step validation are theirs. Status and results are read from the task's
latest execution by the same service (``task_status``, ``execution_record``,
``step_views``). Views here pick rows through ``selection.scoped`` (``for_user`` plus the
selected tenant) and render them.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orchestration.console import phrases, selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.orchtask_form import Draft
from orchestration.console.pages import render_page
from orchestration.errors import Conflict, Forbidden, InvalidParameter, NotFound, ServiceError
from orchestration.models import OrchTask, OrchTaskStatus, Region, Scope, Tenant
from orchestration.services import orchtask_runs
from orchestration.services import orchtasks as service
from orchestration.services.orchtask_queries import OrchTaskFilter, filter_orch_tasks
from orchestration.services.orchtask_types import TASK_TYPES
from vsphere.models import EntityType, InventoryObject, VCenter

ACTIVE = "orchtasks"
PAGE_SIZE = 25
POLL_SECONDS = 2
MAX_PICKER_VMS = 2000
BUSY = (OrchTaskStatus.RUNNING, OrchTaskStatus.PAUSING, OrchTaskStatus.PAUSED)

# The buttons that make sense for a status; the service still decides (a second
# browser tab may have moved the task on), and a refusal comes back as a message.
OPERATIONS: dict[str, tuple[str, ...]] = {
    OrchTaskStatus.READY: ("Execute",),
    OrchTaskStatus.RUNNING: ("Pause", "Abort"),
    OrchTaskStatus.PAUSING: ("Resume", "Abort"),
    OrchTaskStatus.PAUSED: ("Resume", "Abort"),
    OrchTaskStatus.SUCCESS: ("Execute",),
    OrchTaskStatus.FAILED: ("Retry", "Execute"),
    OrchTaskStatus.INTERRUPTED: ("Execute",),
}


def _tasks(request: HttpRequest, scope: str = Scope.VIEW):
    return (
        selection.scoped(request, OrchTask, selection.current(request).tenant, scope)
        .select_related("tenant", "region", "latest_execution", "created_by")
        .prefetch_related("steps")
    )


def _task(request: HttpRequest, task_id: str) -> OrchTask:
    found = _tasks(request).filter(pk=task_id).first()
    if found is None:
        raise NotFound("OrchTask", task_id)
    return found


def _regions(request: HttpRequest, tenant: Tenant | None) -> list[Region]:
    """Regions the selected tenant has a vCenter in (where its VMs can be picked)."""
    vcenters = selection.scoped(request, VCenter, tenant).exclude(region=None)
    return list(Region.objects.filter(vcenters__in=vcenters).distinct().order_by("id"))


@signed_in
def orchtask_list(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    queryset = _tasks(request)
    region = request.GET.get("region", "")
    keyword = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    spec = OrchTaskFilter(region_id=region or None, keyword=keyword or None,
                          statuses=(status,) if status in OrchTaskStatus.values else ())
    queryset = filter_orch_tasks(queryset, spec)
    page = Paginator(queryset.order_by("-created_at", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for task in page:
        steps = list(task.steps.all())
        rows.append({"task": task, "status": orchtask_runs.task_status(task), "steps": len(steps),
                     "resources": sum(len(s.resource_ids) for s in steps)})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "q": keyword,
        "region": region,
        "status": status,
        "statuses": OrchTaskStatus.values,
        "regions": _regions(request, tenant),
        "query": query.urlencode(),
        "poll": any(row["status"] in BUSY for row in rows),
        "can_run": selection.can(request, tenant, Scope.RUN),
    }
    if request.htmx and request.htmx.target == "orchtask-results":
        return render(request, "console/orchtasks/_list_results.html", context)
    return render_page(request, "console/orchtasks/list.html", context, active=ACTIVE)


def _live_context(request: HttpRequest, task: OrchTask) -> dict[str, Any]:
    status = orchtask_runs.task_status(task)
    can_run = selection.can(request, task.tenant, Scope.RUN)
    execution = task.latest_execution
    steps = orchtask_runs.step_views(task)
    return {
        "task": task,
        "status": status,
        "record": orchtask_runs.execution_record(task),
        "steps": steps,
        "resource_count": sum(len(step.resources) for step in steps),
        "task_type_name": TASK_TYPES[task.task_type].name if task.task_type in TASK_TYPES else task.task_type,
        "execution": execution,
        "operations": OPERATIONS.get(status, ()) if can_run else (),
        "can_run": can_run,
        "poll": execution is not None and not execution.is_finished,
        "poll_seconds": POLL_SECONDS,
    }


@signed_in
@service_errors(ACTIVE)
def orchtask_detail(request: HttpRequest, task_id: str) -> HttpResponse:
    task = _task(request, task_id)
    context = _live_context(request, task)
    context["task_type"] = TASK_TYPES.get(task.task_type)
    context["editable"] = context["can_run"] and context["status"] not in BUSY
    return render_page(request, "console/orchtasks/detail.html", context, active=ACTIVE)


@signed_in
@service_errors(ACTIVE)
def orchtask_live(request: HttpRequest, task_id: str) -> HttpResponse:
    """The polled part of the detail page: status, buttons, steps with per-resource results."""
    return render(request, "console/orchtasks/_live.html", _live_context(request, _task(request, task_id)))


OPERATION_DONE = {
    "Execute": gettext_lazy("Execution started."),
    "Pause": gettext_lazy("Pause asked: the running step finishes, then the task waits."),
    "Resume": gettext_lazy("Resumed."),
    "Abort": gettext_lazy("Aborted."),
    "Retry": gettext_lazy("Retrying the failed resources."),
}


@signed_in
@require_POST
@service_errors(ACTIVE)
def orchtask_operate(request: HttpRequest, task_id: str) -> HttpResponse:
    """One button, one ``operate_orch_task`` call; a status the task has left meanwhile is a message."""
    task = _task(request, task_id)
    operation = request.POST.get("operation", "")
    if operation not in OPERATION_DONE:
        raise InvalidParameter("operation", "unknown operation")
    try:
        service.operate_orch_task(task, request.user, operation)
    except (Conflict, InvalidParameter) as exc:
        messages.error(request, phrases.translate(exc.message))
    else:
        messages.success(request, str(OPERATION_DONE[operation]))
    return redirect("console:orchtask-detail", task_id=task.pk)


@signed_in
@require_POST
@service_errors(ACTIVE)
def orchtask_delete(request: HttpRequest, task_id: str) -> HttpResponse:
    task = _task(request, task_id)
    try:
        service.delete_orch_task(task, request.user)
    except Conflict as exc:
        messages.error(request, phrases.translate(exc.message))
        return redirect("console:orchtask-detail", task_id=task.pk)
    messages.success(request, _("OrchTask %(name)s deleted.") % {"name": task.name})
    return redirect("console:orchtasks")


# ---------------------------------------------------------------------- the form


def _picker_vms(request: HttpRequest, tenant: Tenant | None, region: str) -> list[InventoryObject]:
    """The tenant's synced VMs (not templates) in ``region``, to pick from."""
    rows = selection.scoped(request, InventoryObject, tenant).filter(
        type=EntityType.VM, is_template=False, vcenter__region_id=region
    )
    return list(rows.select_related("vcenter").order_by("name", "moref")[:MAX_PICKER_VMS])


def _form_page(request: HttpRequest, draft: Draft, task: OrchTask | None, status: int = 200,
               focus_new_step: bool = False) -> HttpResponse:
    tenant = selection.current(request).tenant
    regions = _regions(request, tenant)
    if not draft.region and regions:
        draft.region = regions[0].pk
    vms = _picker_vms(request, tenant, draft.region) if draft.region else []
    known = {vm.moref for vm in vms}
    context = {
        "task": task,
        "draft": draft,
        "regions": regions,
        "task_types": list(TASK_TYPES.values()),
        "resource_types": sorted({r for t in TASK_TYPES.values() for r in t.resource_types}),
        "vms": vms,
        # VMs a step lists that the inventory no longer has still show (and are refused by name).
        "missing": sorted(draft.chosen() - known),
        "truncated": len(vms) >= MAX_PICKER_VMS,
        "focus_new_step": focus_new_step,
    }
    return render_page(request, "console/orchtasks/edit.html", context, active=ACTIVE, status=status)


def _edit(request: HttpRequest, task: OrchTask | None) -> HttpResponse:
    tenant = selection.current(request).tenant
    if not selection.can(request, task.tenant if task else tenant, Scope.RUN):
        raise Forbidden(_("Your role in this tenant does not allow changing orchestration tasks."))
    if request.method != "POST":
        draft = Draft.from_task(task) if task else Draft.blank(task_type=next(iter(TASK_TYPES)))
        return _form_page(request, draft, task)
    draft = Draft.from_post(request.POST, task)
    op = request.POST.get("op", "save")
    if op == "add-step":
        draft.add_step()
        return _form_page(request, draft, task, focus_new_step=True)
    if op.startswith("remove-"):
        draft.remove_step(int(op.removeprefix("remove-")) if op.removeprefix("remove-").isdigit() else -1)
        return _form_page(request, draft, task)
    if op == "refresh":  # the region changed: show its VMs
        return _form_page(request, draft, task)
    try:
        if task is None:
            chosen = selection.current(request)
            task = service.create_orch_task(
                tenant=tenant, user=request.user, region=draft.region, name=draft.name, remark=draft.remark,
                task_type=draft.task_type, resource_type=draft.resource_type, steps=draft.raw_steps(),
                condition=draft.condition, project_id=chosen.project.pk if chosen.project else None,
            )
            messages.success(request, _("OrchTask %(name)s created.") % {"name": task.name})
        else:
            service.update_orch_task(task, request.user, steps=draft.raw_steps(), condition=draft.condition,
                                     name=draft.name, remark=draft.remark)
            messages.success(request, _("OrchTask %(name)s saved.") % {"name": task.name})
    except (InvalidParameter, Conflict) as exc:
        draft.add_service_error(exc)
        return _form_page(request, draft, task if task and task.pk else None, status=400)
    except NotFound as exc:  # an unknown region or project
        draft.add_service_error(ServiceError(exc.message, place="Region" if exc.entity == "Region" else ""))
        return _form_page(request, draft, task, status=400)
    return redirect("console:orchtask-detail", task_id=task.pk)


@signed_in
@service_errors(ACTIVE)
def orchtask_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@signed_in
@service_errors(ACTIVE)
def orchtask_edit(request: HttpRequest, task_id: str) -> HttpResponse:
    return _edit(request, _task(request, task_id))
