"""Execution pages: the Run form, the list, the live detail page and the approvals inbox.

Starting, cancelling, approving, rejecting and re-running go through
``orchestration.services.executions`` (``start_execution``, ``cancel_execution``,
``notify_execution``, ``rerun_execution``), the same functions the API faces call: parameter rules, roles
and state checks are theirs. Views here only pick rows (scoped to the selected
tenant) and render them.
"""
from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from orchestration import row_counts
from orchestration.console import approval_preview, graph, selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.execution_filters import ExecutionListForm
from orchestration.console.execution_lookup import find_execution as _execution
from orchestration.console.execution_lookup import members, waiting_approvals
from orchestration.console.execution_lookup import scoped_executions as _executions
from orchestration.console.pages import render_page
from orchestration.console.progress import loop_progress
from orchestration.console.run_form import RunForm
from orchestration.console.timeline import execution_gantt
from orchestration.console.views.execution_logs import logs_context
from orchestration.engine.templates import parsed_content
from orchestration.errors import Forbidden, InvalidParameter, NotFound, ServiceError
from orchestration.models import (
    Execution,
    ExecutionStatus,
    LogType,
    Scope,
    TaskExecution,
    TaskStatus,
    WaitingFor,
)
from orchestration.paginators import EstimatedCountPaginator
from orchestration.services import executions as service
from orchestration.services.execution_queries import ExecutionFilter, filter_executions
from templates_app.services import analysis
from templates_app.services.templates import find_template, get_version

PAGE_SIZE = 25
ITEM_PAGE_SIZE = 50
TOP_LEVEL_LIMIT = 500  # top-level task executions (and waiting ones) shown on the detail page
POLL_SECONDS = 2
# Task executions that wait for a person to say yes or no.


def waiting_for_people(request: HttpRequest):
    """Task executions of the selected tenant waiting for an approval or a risk confirmation."""
    return waiting_approvals(request, selection.current(request).tenant).select_related("execution")


@signed_in
@service_errors("templates")
def template_run(request: HttpRequest, template_id: str) -> HttpResponse:
    chosen = selection.current(request)
    template = find_template(request.user, template_id, tenant=chosen.tenant, scope=Scope.VIEW)
    version = get_version(template, request.GET.get("version") or request.POST.get("version"))
    parsed = analysis.parsed_version(template, version.name)
    can_run = selection.can(request, chosen.tenant, Scope.RUN)
    form = RunForm(request.POST or None, parameters=parsed.parameters)
    if request.method == "POST":
        if not can_run:
            raise Forbidden("Your role in this tenant does not allow running templates.")
        if form.is_valid():
            try:
                execution = service.start_execution(
                    tenant=chosen.tenant,
                    user=request.user,
                    template=template,
                    version=version.name,
                    parameters=form.parameters(),
                    mode=form.cleaned_data["mode"],
                    loop_mode=form.cleaned_data["loop_mode"],
                    safety_check=form.cleaned_data["safety_check"],
                    description=form.cleaned_data["description"],
                    project=chosen.project,
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                return redirect("console:execution-detail", execution_id=execution.pk)
    context = {"template": template, "version": version, "form": form, "can_run": can_run}
    status = 400 if request.method == "POST" else 200
    return render_page(request, "console/executions/run.html", context, active="executions", status=status)


@signed_in
def execution_list(request: HttpRequest) -> HttpResponse:
    form = ExecutionListForm(request.GET or None)
    spec = form.spec()
    queryset = filter_executions(_executions(request), spec)
    page = EstimatedCountPaginator(queryset.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tenant = selection.current(request).tenant
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "poll": any(not e.is_finished for e in page),
        "can_run": selection.can(request, tenant, Scope.RUN),
        "people": members(tenant),
        "filtered": spec != ExecutionFilter(),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    if request.htmx and request.htmx.target == "execution-results":
        return render(request, "console/executions/_list_results.html", context, status=status)
    return render_page(request, "console/executions/list.html", context, active="executions", status=status)


def _live_context(request: HttpRequest, execution: Execution) -> dict[str, Any]:
    """Built from the top-level rows and aggregates, never from every row: a loop may hold
    10,000 items (their own page is ``loop_items``), and this fragment is polled."""
    top = list(execution.task_executions.filter(parent_task_execution__isnull=True)
               .order_by("created_at", "id")[:TOP_LEVEL_LIMIT])
    item_counts = dict(  # loop items are children of their loop's task execution
        TaskExecution.objects.filter(parent_task_execution__in=[r.id for r in top])
        .values_list("parent_task_execution").annotate(n=Count("id")).order_by()
    )
    for r in top:
        r.item_count = item_counts.get(r.id, 0)
    parsed = parsed_content(execution.template_content)
    waiting = list(execution.task_executions.filter(status=TaskStatus.WAITING)
                   .order_by("created_at", "id")[:TOP_LEVEL_LIMIT])
    approval_preview.attach(r for r in waiting if r.extra.get("waiting_for") in WaitingFor.approvals())
    # What rerun_execution would resume from: the newest failed top-level task.
    failed = [r for r in top if r.status == TaskStatus.FAILED]
    rerun_from = failed[-1] if execution.status == ExecutionStatus.FAILED and failed else None
    progress = loop_progress(top)
    for r in top:
        r.progress = progress.get(r.pk)
    return {
        "rerun_from": rerun_from,
        "rerun_from_loop": rerun_from is not None and isinstance(rerun_from.extra.get("loop"), dict),
        "execution": execution,
        "graph": graph.build(parsed, top),
        "runs": top,
        "waiting": waiting,
        "approvable": [r for r in waiting if r.extra.get("waiting_for") in WaitingFor.values
                       and r.extra.get("waiting_for") not in WaitingFor.unattended()],
        "task_names": [t.name for t in parsed.tasks],
        "can_run": selection.can(request, execution.tenant, Scope.RUN),
        "poll_seconds": POLL_SECONDS,
        "debug_ready": execution.mode == "Debug" and execution.status == ExecutionStatus.WAITING,
    }


@signed_in
@service_errors("executions")
def execution_detail(request: HttpRequest, execution_id: str) -> HttpResponse:
    execution = _execution(request, execution_id)
    context = _live_context(request, execution)
    context.update(
        {
            "parameters_json": json.dumps(execution.parameters, indent=2, ensure_ascii=False),
            "outputs_json": json.dumps(execution.outputs, indent=2, ensure_ascii=False),
            "children_executions": list(execution.children.order_by("created_at")),
            "log_types": LogType.choices,
            "gantt": execution_gantt(execution),
            "event_firing": execution.event_firings.select_related("trigger").first(),
        }
    )
    context.update(logs_context(request, execution))
    return render_page(request, "console/executions/detail.html", context, active="executions")


@signed_in
@service_errors("executions")
def execution_live(request: HttpRequest, execution_id: str) -> HttpResponse:
    """The polled part of the detail page: status, counters, graph, task table, actions."""
    execution = _execution(request, execution_id)
    return render(request, "console/executions/_live.html", _live_context(request, execution))


NOTIFY = {"approve": "Approve", "reject": "Reject", "execute": "ExecuteTask", "cancel-task": "CancelTask"}


@signed_in
@require_POST
@service_errors("executions")
def execution_act(request: HttpRequest, execution_id: str) -> HttpResponse:
    """Approve, reject, cancel, re-run, run again, or (Debug) run a chosen task: one button each, one service call."""
    execution = _execution(request, execution_id)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:500]
    if action == "cancel":
        service.cancel_execution(execution, request.user)
    elif action == "run-again":
        again = service.run_again(execution, request.user)
        return redirect("console:execution-detail", execution_id=again.pk)
    elif action in ("rerun", "rerun-failed-items"):
        # "Re-run from failed step" re-runs a failed loop whole; the other button only its failed items.
        service.rerun_execution(execution, request.user, failed_items_only=action == "rerun-failed-items")
    elif action in NOTIFY:
        service.notify_execution(
            execution,
            request.user,
            NOTIFY[action],
            task_execution_id=request.POST.get("task_execution_id") or None,
            task_name=request.POST.get("task_name") or None,
            note=note,
        )
    else:
        raise InvalidParameter("action", "unknown action")
    back = request.POST.get("next", "")
    if back == "approvals":
        return redirect("console:approvals")
    return redirect("console:execution-detail", execution_id=execution.pk)


@signed_in
@service_errors("executions")
def loop_items(request: HttpRequest, execution_id: str, task_execution_id: str) -> HttpResponse:
    """One loop task's items (its child task executions), a page at a time."""
    execution = _execution(request, execution_id)
    loop = execution.task_executions.filter(pk=task_execution_id).first()
    if loop is None:
        raise NotFound("TaskExecution", task_execution_id)
    # Child runs read for the page's rows, not joined to every item an OFFSET skips.
    items = loop.children.order_by("loop_index", "created_at", "id").prefetch_related("child_execution")
    status = request.GET.get("status", "")
    if status in TaskStatus.values:
        items = items.filter(status=status)
    page = Paginator(items, ITEM_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "te": te,
            "item": json.dumps(te.loop_item, ensure_ascii=False),
            "outputs": json.dumps(te.outputs, ensure_ascii=False, indent=1) if te.outputs else "",
        }
        for te in page
    ]
    counts = dict(loop.children.values_list("status").annotate(n=Count("id")))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "execution": execution,
        "loop": loop,
        "page": page,
        "rows": rows,
        "status": status,
        "counts": sorted(counts.items()),
        "query": query.urlencode(),
        "poll": not loop.is_finished,
    }
    if request.htmx and request.htmx.target == "item-results":
        return render(request, "console/executions/_loop_items.html", context)
    return render_page(request, "console/executions/loop_items.html", context, active="executions")


@signed_in
def approvals(request: HttpRequest) -> HttpResponse:
    items = list(waiting_for_people(request)[:200])
    approval_preview.attach(items)
    context = {
        "items": items,
        "can_run": selection.can(request, selection.current(request).tenant, Scope.RUN),
    }
    return render_page(request, "console/executions/approvals.html", context, active="approvals")


STATUS_COUNT_CAP = 1_000


def status_counts(request: HttpRequest) -> dict[str, int | str]:
    """Top-level executions of the selected tenant per status (the dashboard's panel).

    One count per status, each exact up to 1,000 and PostgreSQL's estimate beyond (shown
    as "~N"): a GROUP BY over a tenant's whole history would cost seconds on every visit,
    and counting to the lists' 10,000 reads that many rows per status.
    """
    top_level = _executions(request).filter(parent__isnull=True)
    counts: dict[str, int | str] = {}
    for status in ExecutionStatus.values:
        n, estimated = row_counts.count(top_level.filter(status=status), cap=STATUS_COUNT_CAP)
        if n:
            counts[status] = f"~{n}" if estimated else n
    return counts
