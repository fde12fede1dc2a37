"""What is shown about an OrchTask's runs: its status and each resource's latest result.

Everything is read back from the task's latest execution and its task executions (see
:mod:`.orchtasks`), so it is live and there is nothing to keep in sync.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q

from orchestration.errors import InvalidParameter
from orchestration.models import Execution, ExecutionStatus, Mode, OrchTask, OrchTaskStatus, TaskExecution, TaskStatus
from orchestration.services.orchtask_specs import effective_steps, inventory_rows, step_task_name

RUNNING_EXECUTION = (ExecutionStatus.STARTED, ExecutionStatus.QUEUED, ExecutionStatus.RUNNING,
                     ExecutionStatus.WAITING)

# A resource's result in its latest run (TaskStepResource.Execution.Result).
RESULTS = {
    TaskStatus.PENDING: "Running", TaskStatus.RUNNING: "Running", TaskStatus.WAITING: "Waiting",
    TaskStatus.SUCCESS: "Success", TaskStatus.FAILED: "Failed", TaskStatus.CANCELLED: "Interrupted",
    TaskStatus.SKIPPED: "Skipped",
}


def task_status(task: OrchTask) -> str:
    ex = task.latest_execution
    if ex is None:
        return OrchTaskStatus.READY
    if ex.status == ExecutionStatus.SUCCESS:
        return OrchTaskStatus.SUCCESS
    if ex.status == ExecutionStatus.FAILED:
        return OrchTaskStatus.FAILED
    if ex.status == ExecutionStatus.CANCELLED:
        return OrchTaskStatus.INTERRUPTED
    if ex.mode == Mode.DEBUG:
        return OrchTaskStatus.PAUSED if ex.status == ExecutionStatus.WAITING else OrchTaskStatus.PAUSING
    return OrchTaskStatus.RUNNING


def status_filter(status: str) -> Q:
    """A queryset filter matching :func:`task_status`."""
    ex = "latest_execution__"
    not_finished = Q(**{f"{ex}status__in": RUNNING_EXECUTION})
    filters = {
        OrchTaskStatus.READY: Q(latest_execution__isnull=True),
        OrchTaskStatus.SUCCESS: Q(**{f"{ex}status": ExecutionStatus.SUCCESS}),
        OrchTaskStatus.FAILED: Q(**{f"{ex}status": ExecutionStatus.FAILED}),
        OrchTaskStatus.INTERRUPTED: Q(**{f"{ex}status": ExecutionStatus.CANCELLED}),
        OrchTaskStatus.RUNNING: not_finished & ~Q(**{f"{ex}mode": Mode.DEBUG}),
        OrchTaskStatus.PAUSING: not_finished & Q(**{f"{ex}mode": Mode.DEBUG})
        & ~Q(**{f"{ex}status": ExecutionStatus.WAITING}),
        OrchTaskStatus.PAUSED: Q(**{f"{ex}mode": Mode.DEBUG, f"{ex}status": ExecutionStatus.WAITING}),
    }
    if status not in filters:
        raise InvalidParameter("Status", f"must be one of {', '.join(OrchTaskStatus.values)}, got {status!r}")
    return filters[status]


def epoch(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment is not None else 0


@dataclass
class RunRecord:
    """The UCloud-style ``Execution`` field: the latest result of a task, or of one resource."""

    result: str = ""
    message: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    task_execution_id: str = ""


@dataclass
class ResourceView:
    resource_id: str
    name: str
    remark: str
    status: str  # the VM's power state in the synced inventory ("" if gone)
    execution: RunRecord


@dataclass
class StepView:
    order: int
    delay: int
    resources: list[ResourceView] = field(default_factory=list)


def execution_record(task: OrchTask) -> RunRecord:
    ex = task.latest_execution
    if ex is None:
        return RunRecord()
    status = task_status(task)
    message = ex.status_message if ex.is_finished else ex.status_reason
    return RunRecord(result=str(status), message=message or "", starts_at=ex.start_date or ex.created_at,
                     ends_at=ex.end_date)


def step_views(task: OrchTask) -> list[StepView]:
    """Each step with its resources and each resource's result in the latest execution."""
    return step_views_for([task])[task.pk]


def step_views_for(tasks: Sequence[OrchTask]) -> dict[int, list[StepView]]:
    """:func:`step_views` of a page of tasks in a few queries, not a few per task: the steps
    (prefetch ``steps`` to make it none), one inventory read per tenant and region, one read
    of the latest executions' rows."""
    steps = {task.pk: effective_steps(task) for task in tasks}
    scopes: dict[tuple[int, str], list[OrchTask]] = defaultdict(list)
    for task in tasks:
        scopes[(task.tenant_id, task.region_id)].append(task)
    names: dict[tuple[int, str], dict[str, Any]] = {}
    for key, group in scopes.items():
        ids = [rid for task in group for step in steps[task.pk] for rid in step.resource_ids]
        names[key] = inventory_rows(group[0].tenant, group[0].region, ids) if ids else {}
    latest: dict[tuple[str, str, str], TaskExecution] = {}
    executions = [task.latest_execution_id for task in tasks if task.latest_execution_id]
    if executions:
        rows = (TaskExecution.objects.filter(execution_id__in=executions, parent_task_execution__isnull=False)
                .only("id", "execution_id", "task_name", "loop_item", "status", "status_message", "start_date",
                      "end_date", "created_at", "extra").order_by("created_at", "id"))
        for te in rows:
            latest[(te.execution_id, te.task_name, str(te.loop_item))] = te  # a retry's try replaces the failed one
    return {task.pk: _views(task, steps[task.pk], names[(task.tenant_id, task.region_id)], latest) for task in tasks}


def _views(task: OrchTask, steps: list, names: dict[str, Any],
           latest: dict[tuple[str, str, str], TaskExecution]) -> list[StepView]:
    ex = task.latest_execution
    views = []
    for step in steps:
        view = StepView(order=step.order, delay=step.delay)
        for rid in step.resource_ids:
            row = names.get(rid)
            te = latest.get((task.latest_execution_id, step_task_name(step), rid))
            view.resources.append(ResourceView(
                resource_id=rid, name=row.name if row else "", remark=(row.name_path if row else ""),
                status=row.power_state if row else "", execution=_resource_record(ex, te),
            ))
        views.append(view)
    return views


def _resource_record(ex: Execution | None, te: TaskExecution | None) -> RunRecord:
    if ex is None:
        return RunRecord()
    if te is None:
        if ex.status == ExecutionStatus.CANCELLED:
            return RunRecord(result="Interrupted", message="Not run: the task was aborted.")
        if ex.is_finished:
            return RunRecord(result="NotRun", message="Not run: an earlier step failed.")
        return RunRecord(result="Waiting")
    message = te.status_message
    ops = (te.extra.get("action") or {}).get("ops") or []
    errors = [op.get("Error") for op in ops if op.get("Error")]
    if errors and te.status == TaskStatus.FAILED:
        message = "; ".join(errors)
    return RunRecord(result=RESULTS.get(te.status, te.status), message=message or "", starts_at=te.start_date,
                     ends_at=te.end_date, task_execution_id=te.id)
