"""The six OrchTask actions of the UCloud-style API, as thin translations to ``services.orchtasks``."""
from __future__ import annotations

from collections.abc import Callable

from orchestration.faces.credentials import Caller
from orchestration.faces.lookups import find_project
from orchestration.models import OrchTask, Scope
from orchestration.services import orchtask_runs
from orchestration.services import orchtasks as svc
from orchestration.services.orchtask_queries import OrchTaskFilter, filter_orch_tasks
from orchestration.services.orchtask_types import TASK_TYPES
from orchestration.wire_parameters import MAX_OFFSET

from .errors import UCloudError, invalid
from .params import UParams

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
COMPANY_REQUIRED = ("CreateOrchTask", "UpdateOrchTask")
# Actions that change nothing; every other action is state-changing and refused on replay.
READ_ONLY = frozenset({"DescribeOrchTaskType", "DescribeOrchTask"})


def describe_task_types(caller: Caller, params: UParams) -> dict:
    infos = [{"TaskName": t.name, "TaskType": t.task_type, "ResourceTypes": list(t.resource_types)}
             for t in TASK_TYPES.values()]
    return {"TotalCount": len(infos), "Infos": infos}


def create_task(caller: Caller, params: UParams) -> dict:
    region = params.str("Region", required=True)
    name = params.str("Name", required=True, max_length=128)
    task_type = params.str("TaskType", required=True)
    resource_type = params.str("ResourceType", required=True)
    steps = params.list("Steps", required=not params.has("Condition"))
    task = svc.create_orch_task(
        tenant=caller.tenant, user=caller.user, region=region, name=name, task_type=task_type,
        resource_type=resource_type, steps=steps or [], condition=params.str("Condition") or "",
        remark=params.str("Remark", max_length=100) or "",
        project_id=params.str("ProjectID", aliases=("ProjectId",)),
    )
    return {"TaskID": task.pk}


def _task(caller: Caller, params: UParams, scope: str = Scope.RUN) -> OrchTask:
    region = params.str("Region", required=True)
    task_id = params.str("TaskID", required=True)
    task = svc.tasks_for(caller.user, Scope.VIEW).filter(tenant=caller.tenant, pk=task_id, region_id=region).first()
    if task is None:
        raise UCloudError(8501, f"TaskID [{task_id}] not found in region {region} of company {caller.tenant.pk}")
    caller.require(scope)
    return task


def delete_task(caller: Caller, params: UParams) -> dict:
    svc.delete_orch_task(_task(caller, params), caller.user)
    return {}


def update_task(caller: Caller, params: UParams) -> dict:
    task = _task(caller, params)
    steps = params.list("Steps", required=not params.has("Condition"))
    svc.update_orch_task(task, caller.user, steps=steps or [], condition=params.str("Condition"))
    return {}


def operate_task(caller: Caller, params: UParams) -> dict:
    task = _task(caller, params)
    operation = params.str("Operation", required=True)
    if operation not in svc.OPERATIONS:
        raise invalid("Operation", f"must be one of {', '.join(svc.OPERATIONS)}, got {operation!r}")
    svc.operate_orch_task(task, caller.user, operation)
    return {}


def describe_tasks(caller: Caller, params: UParams) -> dict:
    limit = params.int("Limit", minimum=1, maximum=MAX_LIMIT)
    offset = params.int("Offset", minimum=0, maximum=MAX_OFFSET)
    project_id = params.str("ProjectID", aliases=("ProjectId",))
    project = find_project(caller, project_id) if project_id else None
    region, keyword = params.str("Region"), params.str("Keyword")
    spec = OrchTaskFilter(tenant=caller.tenant, project_id=project.pk if project else None, region_id=region or None,
                          keyword=keyword or None)
    queryset = filter_orch_tasks(svc.tasks_for(caller.user, Scope.VIEW), spec)
    task_ids = params.list("TaskIDs")
    if task_ids:
        found = set(queryset.filter(pk__in=task_ids).values_list("pk", flat=True))
        unknown = [t for t in task_ids if t not in found]
        if unknown:
            raise UCloudError(8501, f"TaskIDs [{', '.join(unknown)}] not found in company {caller.tenant.pk}")
    status = params.str("Status")
    queryset = filter_orch_tasks(queryset, OrchTaskFilter(ids=task_ids or (), statuses=(status,) if status else ()))
    total = queryset.count()
    start = offset or 0
    rows = list(queryset[start:start + (limit or DEFAULT_LIMIT)])
    views = orchtask_runs.step_views_for(rows)
    return {"TotalCount": total, "Infos": [task_info(task, views[task.pk]) for task in rows]}


def _record(record: orchtask_runs.RunRecord) -> dict:
    return {"Result": record.result, "Message": record.message, "StartsAt": orchtask_runs.epoch(record.starts_at),
            "EndsAt": orchtask_runs.epoch(record.ends_at)}


def task_info(task: OrchTask, steps: list[orchtask_runs.StepView]) -> dict:
    record = orchtask_runs.execution_record(task)
    return {
        "TaskID": task.pk,
        "Name": task.name,
        "Remark": task.remark,
        "Region": task.region_id,
        "RegionAlias": task.region.alias,
        "CompanyID": task.tenant_id,
        "CompanyName": task.tenant.name,
        "Email": task.tenant.email,
        "ProjectID": task.project_id or "",
        "ProjectName": task.project.name if task.project else "",
        "Reason": record.message if record.result == "Failed" else "",
        "CreateTime": orchtask_runs.epoch(task.created_at),
        "UpdateTime": orchtask_runs.epoch(task.updated_at),
        "Status": orchtask_runs.task_status(task),
        "TaskType": task.task_type,
        "ResourceType": task.resource_type,
        "Condition": task.condition,
        "Execution": _record(record),
        "Steps": [
            {"Order": step.order, "Delay": step.delay, "Resources": [
                {"ResourceID": r.resource_id, "Name": r.name, "Remark": r.remark, "Status": r.status,
                 "Execution": _record(r.execution)} for r in step.resources]}
            for step in steps
        ],
    }


HANDLERS: dict[str, Callable[[Caller, UParams], dict]] = {
    "DescribeOrchTaskType": describe_task_types,
    "CreateOrchTask": create_task,
    "DeleteOrchTask": delete_task,
    "DescribeOrchTask": describe_tasks,
    "UpdateOrchTask": update_task,
    "OperateOrchTask": operate_task,
}
