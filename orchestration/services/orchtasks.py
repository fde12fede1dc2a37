"""Orchestration task workflows shared by every face: create, update, delete, describe, operate.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from orchestration.engine.dispatch import enqueue
from orchestration.errors import Conflict, Forbidden, InvalidParameter, NotFound
from orchestration.models import (
    FINISHED_STATUSES,
    Execution,
    ExecutionStatus,
    Mode,
    OrchTask,
    OrchTaskStatus,
    OrchTaskStep,
    Project,
    Region,
    SafetyCheck,
    Scope,
    TaskExecution,
    TaskStatus,
    Tenant,
    Trigger,
)
from orchestration.models.orchtasks import MAX_DELAY
from orchestration.services.executions import cancel_execution, rerun_execution, start_execution
from orchestration.services.orchtask_types import get_task_type

OPERATIONS = ("Update", "Execute", "Abort", "Pause", "Resume", "Retry")
CONDITION_KEYS = ("NamePattern", "Folder", "PowerState", "Tag")
POWER_STATES = ("poweredOn", "poweredOff", "suspended")
MAX_STEPS = 100
MAX_RESOURCES = 1000
RUNNING_EXECUTION = (ExecutionStatus.STARTED, ExecutionStatus.QUEUED, ExecutionStatus.RUNNING,
                     ExecutionStatus.WAITING)

# A resource's result in its latest run (TaskStepResource.Execution.Result).
RESULTS = {
    TaskStatus.PENDING: "Running", TaskStatus.RUNNING: "Running", TaskStatus.WAITING: "Waiting",
    TaskStatus.SUCCESS: "Success", TaskStatus.FAILED: "Failed", TaskStatus.CANCELLED: "Interrupted",
    TaskStatus.SKIPPED: "Skipped",
}


@dataclass
class StepSpec:
    order: int
    delay: int
    resource_ids: list[str]


# ---------------------------------------------------------------------- access


def check_access(user, tenant: Tenant, scope: str = Scope.RUN) -> None:
    if user is not None and not Tenant.objects.for_user(user, scope).filter(pk=tenant.pk).exists():
        verb = "read" if scope == Scope.VIEW else "change or run"
        raise Forbidden(f"your role in tenant {tenant.pk} does not allow you to {verb} orchestration tasks")


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


# ---------------------------------------------------------------------- parsing and validation


def parse_steps(raw: Sequence[Any] | None) -> list[StepSpec]:
    """``Steps`` as the seed sends them: strings of JSON ``{"order", "delay", "resourceIDs"}``."""
    if raw is None:
        return []
    if isinstance(raw, str | dict):
        raw = [raw]
    if len(raw) > MAX_STEPS:
        raise InvalidParameter("Steps", f"at most {MAX_STEPS} steps, got {len(raw)}")
    steps: list[StepSpec] = []
    for index, item in enumerate(raw):
        place = f"Steps.{index}"
        if isinstance(item, str):
            try:
                item = json.loads(item)
            except ValueError as exc:
                raise InvalidParameter(place, f"is not JSON ({exc.args[0]}); "
                                              'write {"order":1,"delay":0,"resourceIDs":"vm-1,vm-2"}') from None
        if not isinstance(item, dict):
            raise InvalidParameter(place, 'must be a JSON object such as {"order":1,"delay":0,"resourceIDs":"vm-1"}')
        unknown = sorted(set(item) - {"order", "delay", "resourceIDs"})
        if unknown:
            raise InvalidParameter(place, f"unknown field(s) {', '.join(unknown)}; a step has order, delay, "
                                          "resourceIDs")
        order, delay = item.get("order"), item.get("delay", 0)
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise InvalidParameter(place, f"order must be a positive integer, got {order!r}")
        place = f"Steps.{index} (order {order})"
        if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY:
            raise InvalidParameter(place, f"delay must be an integer from 0 to {MAX_DELAY} seconds, got {delay!r}")
        ids = item.get("resourceIDs", "")
        if isinstance(ids, str):
            ids = [part.strip() for part in ids.split(",") if part.strip()]
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise InvalidParameter(place, "resourceIDs must be a comma-separated string of resource ids")
        if not ids:
            raise InvalidParameter(place, "resourceIDs lists no resource; every step needs at least one")
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise InvalidParameter(place, f"resource {duplicates[0]} is listed twice in the step")
        steps.append(StepSpec(order=order, delay=delay, resource_ids=ids))
    seen_orders: dict[int, int] = {}
    seen_ids: dict[str, int] = {}
    for index, step in enumerate(steps):
        if step.order in seen_orders:
            raise InvalidParameter(f"Steps.{index} (order {step.order})",
                                   f"order {step.order} is used by Steps.{seen_orders[step.order]} too; "
                                   "orders must be unique")
        seen_orders[step.order] = index
        for rid in step.resource_ids:
            if rid in seen_ids:
                raise InvalidParameter(f"Steps.{index} (order {step.order})",
                                       f"resource {rid} is in step order {steps[seen_ids[rid]].order} already; "
                                       "a resource belongs to one step only")
            seen_ids[rid] = index
    if len(seen_ids) > MAX_RESOURCES:
        raise InvalidParameter("Steps", f"at most {MAX_RESOURCES} resources in all, got {len(seen_ids)}")
    return sorted(steps, key=lambda s: s.order)


def parse_condition(text: str | None) -> dict[str, Any]:
    if text in (None, ""):
        return {}
    try:
        condition = json.loads(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise InvalidParameter("Condition", f"is not JSON ({exc.args[0]})") from None
    if not isinstance(condition, dict):
        raise InvalidParameter("Condition", "must be a JSON object with NamePattern, Folder, PowerState or Tag")
    unknown = sorted(set(condition) - set(CONDITION_KEYS))
    if unknown:
        raise InvalidParameter("Condition", f"unknown key(s) {', '.join(unknown)}; use {', '.join(CONDITION_KEYS)}")
    for key in ("NamePattern", "Folder"):
        if key in condition and (not isinstance(condition[key], str) or not condition[key]):
            raise InvalidParameter(f"Condition.{key}", "must be a non-empty string")
    if "PowerState" in condition and condition["PowerState"] not in POWER_STATES:
        raise InvalidParameter("Condition.PowerState", f"must be one of {', '.join(POWER_STATES)}")
    tag = condition.get("Tag")
    if tag is not None and (not isinstance(tag, dict) or not isinstance(tag.get("Key"), str) or not tag["Key"]
                            or set(tag) - {"Key", "Value"}):
        raise InvalidParameter("Condition.Tag", 'must be {"Key": "…"} or {"Key": "…", "Value": "…"}')
    return condition


def _vcenters(tenant: Tenant, region: Region):
    from vsphere.read_operations import tenant_vcenters

    return tenant_vcenters(tenant.pk, {"RegionId": region.pk})


def _inventory(tenant: Tenant, region: Region, ids: Iterable[str]) -> dict[str, Any]:
    from vsphere.models import InventoryObject

    rows = InventoryObject.objects.filter(vcenter__in=_vcenters(tenant, region), moref__in=list(ids))
    return {row.moref: row for row in rows.order_by("vcenter_id")}


def check_resources(tenant: Tenant, region: Region, resource_type: str, steps: list[StepSpec]) -> None:
    """Every resource exists in the tenant's synced inventory of the region, is a VM, and is usable."""
    from vsphere.models import EntityType

    found = _inventory(tenant, region, [rid for step in steps for rid in step.resource_ids])
    for step in steps:
        place = f"Steps (order {step.order})"
        for rid in step.resource_ids:
            row = found.get(rid)
            if row is None:
                raise InvalidParameter(place, f"resource {rid} does not exist in the synced inventory of region "
                                              f"{region.pk}")
            if row.type != EntityType.VM:
                raise InvalidParameter(place, f"resource {rid} is a {row.type}, not a {resource_type}")
            if row.is_template:
                raise InvalidParameter(place, f"resource {rid} ({row.name}) is a VM template and cannot be operated")


def resolve_condition(task: OrchTask, condition: dict[str, Any] | None = None) -> list[str]:
    from vsphere.services.faults import VSphereError
    from vsphere.services.vm_operations import resolve_targets

    condition = parse_condition(task.condition) if condition is None else condition
    if not condition:
        return []
    selection = {k: condition[k] for k in ("NamePattern", "Folder", "Tag") if k in condition}
    vcenters = _vcenters(task.tenant, task.region)
    try:
        if selection:
            rows = resolve_targets(vcenters, name_pattern=selection.get("NamePattern"),
                                   folder=selection.get("Folder"), tag=selection.get("Tag"))
        else:
            from vsphere.models import EntityType, InventoryObject

            rows = list(InventoryObject.objects.filter(vcenter__in=vcenters, type=EntityType.VM, is_template=False)
                        .order_by("vcenter_id", "name"))
    except VSphereError as exc:
        raise InvalidParameter("Condition", str(exc)) from None
    if "PowerState" in condition:
        rows = [row for row in rows if row.power_state == condition["PowerState"]]
    return list(dict.fromkeys(row.moref for row in rows))


def effective_steps(task: OrchTask) -> list[StepSpec]:
    """The stored steps, or one step of the resources the Condition selects now."""
    steps = [StepSpec(s.order, s.delay, list(s.resource_ids)) for s in task.steps.all()]
    if steps:
        return sorted(steps, key=lambda s: s.order)
    ids = resolve_condition(task)
    return [StepSpec(order=1, delay=0, resource_ids=ids)] if ids else []


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
    check_access(user, tenant)
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
            created_by=user if user is not None and user.is_authenticated else None,
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
    check_access(user, task.tenant)
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
    check_access(user, task.tenant)
    status = task_status(task)
    if status in (OrchTaskStatus.RUNNING, OrchTaskStatus.PAUSING, OrchTaskStatus.PAUSED):
        raise Conflict(f"task {task.pk} is {status}; abort it before deleting it", code="InvalidStatus.OrchTask")
    task.delete()


# ---------------------------------------------------------------------- status and results


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
    """``Execution`` of the seed: the latest result of a task, or of one resource."""

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
    """Each step with its resources and each resource's result in the latest execution (2 queries)."""
    steps = effective_steps(task)
    names = _inventory(task.tenant, task.region, [rid for s in steps for rid in s.resource_ids])
    latest: dict[tuple[str, str], TaskExecution] = {}
    ex = task.latest_execution
    if ex is not None:
        rows = (TaskExecution.objects.filter(execution=ex, parent_task_execution__isnull=False)
                .only("id", "task_name", "loop_item", "status", "status_message", "start_date", "end_date",
                      "created_at", "extra").order_by("created_at", "id"))
        for te in rows:
            latest[(te.task_name, str(te.loop_item))] = te  # a retry's try replaces the failed one
    views = []
    for step in steps:
        view = StepView(order=step.order, delay=step.delay)
        for rid in step.resource_ids:
            row = names.get(rid)
            te = latest.get((step_task_name(step), rid))
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


# ---------------------------------------------------------------------- the generated template


def step_task_name(step: StepSpec) -> str:
    return f"Step{step.order}"


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
    check_access(user, task.tenant)
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
    from orchestration.models import ExecutionLog

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
        who = user.get_username() if user is not None else "system"
        ExecutionLog.objects.create(execution=locked, created_at=now,
                                    message=f"{verb} by {who} (orchestration task operation).")
    enqueue(ex.pk)
