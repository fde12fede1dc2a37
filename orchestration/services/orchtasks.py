"""Orchestration task workflows shared by every face: create, update, delete, operate.

Steps and conditions are parsed and checked in :mod:`.orchtask_specs`; what is shown
about runs (status, results per resource) is read in :mod:`.orchtask_runs`.

Running a task never re-implements the engine: ``Execute`` generates an OOS template
(per step an ``ACS::Sleep`` for its delay, then a loop of the task type's action over
the step's VMs, all items of a step at once, steps strictly in order) and starts it
with :func:`start_execution`. Everything shown about a run — the task's status, the
latest ``Result``, and each resource's result — is read back from that execution and
its task executions, so it is live and there is nothing to keep in sync.

Operations (``OperateOrchTask``):

* ``Execute`` — a new execution (a task that is running must be aborted first); the
  per-resource records of the previous run go with it.
* ``Abort`` — :func:`cancel_execution`; the run's result becomes ``Interrupted``.
* ``Pause`` — the execution is switched to the engine's Debug mode under its row lock:
  a step already running finishes (its VM operations are not interrupted), and the
  engine starts no further task (delay or step) until ``Resume`` switches it back to
  Automatic. While the running step finishes the status reads ``Pausing``, then
  ``Paused``.
* ``Resume`` — back to Automatic mode; the next step starts at once.
* ``Retry`` — :func:`rerun_execution` with ``failed_items_only``: only the failed VMs
  of the failed step run again, then the remaining steps.
* ``Update`` — resets a task that is not running to ``Ready`` (forgets its latest run)
  so its steps can be changed; changing steps of a running or paused task is refused.

``Condition`` (a JSON object, all keys optional and combined with AND) selects the
resources of a task whose steps list none: ``NamePattern`` (shell pattern on VM names,
``web-*``), ``Folder`` (inventory folder path such as ``/DC0/vm/web`` or a folder
moref, VMs directly inside), ``PowerState`` (``poweredOn``/``poweredOff``/
``suspended``) and ``Tag`` (``{"Key": k, "Value": v}``: custom attribute k = v, or
without Value an attribute or tag named k). It is resolved against the synced
inventory each time the task is described or executed, as one step of order 1.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from orchestration.authorization import actor_name, require, user_of
from orchestration.engine.dispatch import enqueue
from orchestration.errors import Conflict, InvalidParameter, NotFound
from orchestration.models import (
    FINISHED_STATUSES,
    Execution,
    ExecutionLog,
    ExecutionStatus,
    Mode,
    OrchTask,
    OrchTaskStatus,
    OrchTaskStep,
    Project,
    Region,
    SafetyCheck,
    Scope,
    Tenant,
    Trigger,
)
from orchestration.services.executions import cancel_execution, rerun_execution, start_execution
from orchestration.services.orchtask_runs import task_status
from orchestration.services.orchtask_specs import (
    StepSpec,
    check_resources,
    effective_steps,
    parse_condition,
    parse_steps,
    step_task_name,
)
from orchestration.services.orchtask_types import get_task_type

OPERATIONS = ("Update", "Execute", "Abort", "Pause", "Resume", "Retry")
# ---------------------------------------------------------------------- access


def tasks_for(user, scope: str = Scope.VIEW) -> QuerySet[OrchTask]:
    return OrchTask.objects.for_user(user, scope).select_related(
        "tenant", "project", "region", "latest_execution").prefetch_related("steps")


def get_task(user, task_id: str, tenant: Tenant | None = None, scope: str = Scope.VIEW) -> OrchTask:
    queryset = tasks_for(user, scope)
    if tenant is not None:
        queryset = queryset.filter(tenant=tenant)
    task = queryset.filter(pk=task_id).first()
    if task is None:
        raise NotFound("OrchTask", task_id)
    return task


def _region(region_id: str) -> Region:
    if not region_id:
        raise InvalidParameter("Region", "is required", code="MissingParameter.Region")
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound("Region", region_id)
    return region


def _project(tenant: Tenant, project_id: str | None) -> Project | None:
    if not project_id:
        return None
    project = Project.objects.filter(pk=project_id, tenant=tenant).first()
    if project is None:
        raise NotFound("Project", project_id)
    return project


def _checked(tenant, region, resource_type, steps, condition) -> tuple[list[StepSpec], dict]:
    steps = parse_steps(steps)
    parsed_condition = parse_condition(condition)
    if not steps and not parsed_condition:
        raise InvalidParameter("Steps", "give at least one step, or a Condition that selects the resources")
    check_resources(tenant, region, resource_type, steps)
    return steps, parsed_condition


# ---------------------------------------------------------------------- create / update / delete


def create_orch_task(
    *,
    tenant: Tenant,
    user,
    region: str,
    name: str,
    task_type: str,
    resource_type: str,
    steps: Sequence[Any] | None,
    condition: str = "",
    remark: str = "",
    project_id: str | None = None,
) -> OrchTask:
    require(user, tenant, Scope.RUN, "changing or running orchestration tasks")
    name = (name or "").strip()
    if not 1 <= len(name) <= 128:
        raise InvalidParameter("Name", f"must be 1 to 128 characters, got {len(name)}")
    if len(remark or "") > 100:
        raise InvalidParameter("Remark", f"must be at most 100 characters, got {len(remark)}")
    get_task_type(task_type, resource_type)
    region_obj = _region(region)
    project = _project(tenant, project_id)
    specs, parsed_condition = _checked(tenant, region_obj, resource_type, steps, condition)
    with transaction.atomic():
        task = OrchTask.objects.create(
            tenant=tenant, project=project, region=region_obj, name=name, remark=remark or "",
            task_type=task_type, resource_type=resource_type,
            condition=json.dumps(parsed_condition) if parsed_condition else "",
            created_by=user_of(user),
        )
        _save_steps(task, specs)
    return task


def _save_steps(task: OrchTask, specs: list[StepSpec]) -> None:
    task.steps.all().delete()
    OrchTaskStep.objects.bulk_create(
        [OrchTaskStep(task=task, order=s.order, delay=s.delay, resource_ids=s.resource_ids) for s in specs]
    )


def update_orch_task(task: OrchTask, user, *, steps: Sequence[Any] | None, condition: str | None = None,
                     name: str | None = None, remark: str | None = None) -> OrchTask:
    require(user, task.tenant, Scope.RUN, "changing or running orchestration tasks")
    status = task_status(task)
    if status in (OrchTaskStatus.RUNNING, OrchTaskStatus.PAUSING, OrchTaskStatus.PAUSED):
        raise Conflict(f"task {task.pk} is {status}; abort it (Operation=Abort) before changing its steps",
                       code="InvalidStatus.OrchTask")
    new_condition = task.condition if condition is None else condition
    specs, parsed_condition = _checked(task.tenant, task.region, task.resource_type, steps, new_condition)
    if name is not None:
        name = name.strip()
        if not 1 <= len(name) <= 128:
            raise InvalidParameter("Name", f"must be 1 to 128 characters, got {len(name)}")
        task.name = name
    if remark is not None:
        if len(remark) > 100:
            raise InvalidParameter("Remark", f"must be at most 100 characters, got {len(remark)}")
        task.remark = remark
    with transaction.atomic():
        task.condition = json.dumps(parsed_condition) if parsed_condition else ""
        task.save()
        _save_steps(task, specs)
    return task


def delete_orch_task(task: OrchTask, user) -> None:
    require(user, task.tenant, Scope.RUN, "changing or running orchestration tasks")
    status = task_status(task)
    if status in (OrchTaskStatus.RUNNING, OrchTaskStatus.PAUSING, OrchTaskStatus.PAUSED):
        raise Conflict(f"task {task.pk} is {status}; abort it before deleting it", code="InvalidStatus.OrchTask")
    task.delete()


# ---------------------------------------------------------------------- the generated template


def generated_template(task: OrchTask, steps: list[StepSpec] | None = None) -> dict[str, Any]:
    """The OOS template ``Execute`` runs: per step a sleep (if delayed) and a loop over its VMs."""
    kind = get_task_type(task.task_type)
    steps = effective_steps(task) if steps is None else steps
    tasks: list[dict[str, Any]] = []
    for step in steps:
        if step.delay:
            tasks.append({"Name": f"{step_task_name(step)}Delay", "Action": "ACS::Sleep",
                          "Description": f"Wait {step.delay} s before step {step.order}.",
                          "Properties": {"Duration": f"PT{step.delay}S"}})
        tasks.append({
            "Name": step_task_name(step),
            "Action": kind.action,
            "Description": f"Step {step.order}: {kind.name} ({len(step.resource_ids)} resources).",
            "Properties": {"VMIds": ["{{ ACS::TaskLoopItem }}"], "RegionId": task.region_id,
                           **kind.action_properties(task.pk)},
            "Loop": {"Items": list(step.resource_ids), "Concurrency": max(1, len(step.resource_ids)),
                     "MaxErrors": 0},
        })
    return {"FormatVersion": "OOS-2019-06-01",
            "Description": f"Orchestration task {task.pk} ({task.task_type}): {task.name}",
            "Tasks": tasks}


# ---------------------------------------------------------------------- operate


def operate_orch_task(task: OrchTask, user, operation: str) -> OrchTask:
    require(user, task.tenant, Scope.RUN, "changing or running orchestration tasks")
    if operation not in OPERATIONS:
        raise InvalidParameter("Operation", f"must be one of {', '.join(OPERATIONS)}, got {operation!r}")
    status = task_status(task)
    ex = task.latest_execution

    def refuse(what: str):
        raise Conflict(f"cannot {operation} task {task.pk}: it is {status}{what}", code="InvalidStatus.OrchTask")

    if operation == "Execute":
        if status in (OrchTaskStatus.RUNNING, OrchTaskStatus.PAUSING, OrchTaskStatus.PAUSED):
            refuse("; abort it first")
        return _execute(task, user)
    if operation == "Update":
        if status in (OrchTaskStatus.RUNNING, OrchTaskStatus.PAUSING, OrchTaskStatus.PAUSED):
            refuse("; abort it first")
        task.latest_execution = None
        task.save(update_fields=["latest_execution", "updated_at"])
        return task
    if operation == "Abort":
        if ex is None or ex.is_finished:
            refuse("")
        task.latest_execution = cancel_execution(ex, user)
    elif operation == "Pause":
        if status != OrchTaskStatus.RUNNING:
            refuse("")
        _switch_mode(ex, Mode.DEBUG, Mode.AUTOMATIC, user, "Paused")
    elif operation == "Resume":
        if status not in (OrchTaskStatus.PAUSING, OrchTaskStatus.PAUSED):
            refuse("")
        _switch_mode(ex, Mode.AUTOMATIC, Mode.DEBUG, user, "Resumed")
    elif operation == "Retry":
        if status != OrchTaskStatus.FAILED:
            refuse("; only a Failed task can retry its failed resources")
        task.latest_execution = rerun_execution(ex, user, failed_items_only=True)
    task.save(update_fields=["updated_at"])
    task.latest_execution.refresh_from_db()
    return task


def _execute(task: OrchTask, user) -> OrchTask:
    steps = effective_steps(task)
    if not steps:
        raise InvalidParameter("Condition", "selects no resource in the synced inventory; nothing to execute")
    check_resources(task.tenant, task.region, task.resource_type, steps)
    execution = start_execution(
        tenant=task.tenant, user=user, template=None,
        template_content=json.dumps(generated_template(task, steps)), template_name=f"OrchTask-{task.pk}",
        safety_check=SafetyCheck.SKIP, trigger=Trigger.API, description=f"{task.task_type}: {task.name}"[:200],
        project=task.project,
    )
    task.latest_execution = execution
    task.save(update_fields=["latest_execution", "updated_at"])
    return task


def _switch_mode(ex: Execution, to: str, expected: str, user, verb: str) -> None:
    """Pause/resume between steps: the engine starts no next task of a Debug execution
    until told; switching back to Automatic lets it go on. Done under the row lock the
    engine's rounds take, so a round in flight either sees the switch or is followed by it."""
    now = timezone.now()
    with transaction.atomic():
        locked = Execution.objects.select_for_update().get(pk=ex.pk)
        if locked.status in FINISHED_STATUSES or locked.mode != expected:
            raise Conflict(f"execution {ex.pk} is {locked.status} in {locked.mode} mode",
                           code="InvalidStatus.OrchTask")
        waiting = locked.status
        if to == Mode.AUTOMATIC and locked.status == ExecutionStatus.WAITING:
            waiting = ExecutionStatus.RUNNING
        Execution.objects.filter(pk=ex.pk).update(mode=to, wake_at=now, status=waiting, updated_at=now)
        who = actor_name(user)
        ExecutionLog.objects.create(execution=locked, created_at=now,
                                    message=f"{verb} by {who} (orchestration task operation).")
    enqueue(ex.pk)
