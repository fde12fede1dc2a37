"""Huawei AOM ``ListWorkflow`` : ``POST /v1/{project_id}/cms/workflow-list``.

Every orchestration task of the caller's tenant is a workflow of type ``manual``
built from the task and its generated template (one node per template task). The
path's ``project_id`` is a ProjectID of the caller's tenant (only that project's
tasks) or the tenant's CompanyID (all its tasks). ``page`` counts from 0.

Status mapping: Ready → ``waitExecute``, Running → ``executing``, Pausing/Paused →
``pausing``, Success → ``success``, Failed → ``fail``, Interrupted → ``cancel``, and
a run being cancelled → ``canceling``. ``tags`` are ``task_type``, ``resource_type``
and ``region`` of the task. ``search_time_start``/``search_time_end`` (epoch ms)
bound the creation time.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from orchestration import request_limits, wire_parameters
from orchestration.availability import is_unavailable
from orchestration.errors import ServiceError
from orchestration.models import OrchTask, Project, Scope
from orchestration.services import orchtask_runs, orchtask_specs
from orchestration.services import orchtasks as svc
from orchestration.services.orchtask_queries import OrchTaskFilter, filter_orch_tasks
from orchestration.services.orchtask_types import get_task_type

from .auth import authenticate
from .errors import HuaweiError, forbidden, from_service_error, internal, invalid, unavailable

logger = logging.getLogger(__name__)

TYPES = ("cron", "event", "manual")
SORT_FIELDS = {"create_time": "created_at", "update_time": "updated_at",
               "last_execution_start_time": "latest_execution__start_date"}
STATUSES = ("success", "fail", "executing", "cancel", "waitExecute", "waitApproval", "approvalFailed", "pausing",
            "canceling")
FIELDS = ("search", "type", "tags", "page", "size", "enterprise_project_id", "create_by", "sort_field", "sort_type",
          "search_time_start", "search_time_end", "status")
MAX_SIZE = 100
MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last moment a datetime holds
DEFAULT_SIZE = 10


@csrf_exempt
def list_workflow(request: HttpRequest, project_id: str) -> HttpResponse:
    try:
        if request.method != "POST":
            raise HuaweiError("AOM.31001302", f"Invalid input parameter. Method {request.method} is not "
                                              "allowed; use POST.", 405)
        request_limits.read_body(request)  # the size limit, before the signature check hashes the body
        caller = authenticate(request)
        caller.require(Scope.VIEW)
        return JsonResponse(_list(caller, project_id, _body(request)))
    except HuaweiError as exc:
        return exc.response()
    except ServiceError as exc:
        return from_service_error(exc).response()
    except Exception as exc:
        if is_unavailable(exc):
            logger.error("Huawei ListWorkflow: service unavailable: %s", exc)
            return unavailable().response()
        request_id = str(uuid.uuid4())
        logger.exception("Huawei ListWorkflow failed (request %s)", request_id)
        return internal(request_id).response()


def _body(request: HttpRequest) -> dict[str, Any]:
    """The query object, within the size (413) and nesting (400) limits of every face."""
    try:
        body = request_limits.loads(request_limits.read_body(request) or b"{}")
    except ValueError as exc:
        raise invalid("body", f"is not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise invalid(unknown[0], f"is not a field of the query; use {', '.join(FIELDS)}")
    return body


def _scope(caller, project_id: str):
    queryset = svc.tasks_for(caller.user, Scope.VIEW).filter(tenant=caller.tenant)
    if project_id == str(caller.tenant.pk):
        return queryset
    if Project.objects.filter(pk=project_id, tenant=caller.tenant).exists():
        return queryset.filter(project_id=project_id)
    raise forbidden(f"project {project_id} is neither a project nor the CompanyID of tenant {caller.tenant.pk}.")


def _list(caller, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
    sort_field = wire_parameters.text(body.get("sort_field"), "sort_field", choices=tuple(SORT_FIELDS), required=True)
    sort_type = wire_parameters.text(body.get("sort_type"), "sort_type", choices=("ASC", "DESC"), required=True)
    page = wire_parameters.page_number(body.get("page"), "page", first=0)
    size = wire_parameters.page_size(body.get("size"), "size", maximum=MAX_SIZE, default=DEFAULT_SIZE)
    start_ms, end_ms = (wire_parameters.integer(body.get(name), name, minimum=0, maximum=MAX_EPOCH_MS)
                        for name in ("search_time_start", "search_time_end"))
    if start_ms is not None and end_ms is not None and start_ms > end_ms:
        raise invalid("search_time_start", "must not be after search_time_end")
    kind = wire_parameters.text(body.get("type"), "type", choices=TYPES)
    status = wire_parameters.text(body.get("status"), "status", choices=STATUSES)
    search, create_by, enterprise_project = (wire_parameters.text(body.get(name), name)
                                             for name in ("search", "create_by", "enterprise_project_id"))
    tags = body.get("tags")
    if tags is not None and (not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values())):
        raise invalid("tags", "must be an object of string values")

    queryset = _scope(caller, project_id)
    if kind not in (None, "manual"):
        queryset = queryset.none()  # orchestration tasks run by hand or by API call only
    columns = {"task_type": "task_type", "resource_type": "resource_type", "region": "region_id"}
    if any(key not in columns for key in tags or {}):
        queryset = queryset.none()  # a tag no task carries
    statuses, cancel_requested = STATUS_FILTERS.get(status, ((), None)) if status else ((), None)
    if status and not statuses:
        queryset = queryset.none()  # waitApproval, approvalFailed: orchestration tasks need no approval
    by_tag = {columns[key]: value for key, value in (tags or {}).items() if key in columns}
    spec = OrchTaskFilter(
        keyword=search or None, created_by=create_by or None,
        project_id=enterprise_project if enterprise_project not in (None, "", "0", "all_granted_eps") else None,
        created_after=_moment(start_ms) if start_ms is not None else None,
        created_before=_moment(end_ms) if end_ms is not None else None,
        task_type=by_tag.get("task_type"), resource_type=by_tag.get("resource_type"),
        region_id=by_tag.get("region_id"), statuses=statuses, cancel_requested=cancel_requested,
    )
    queryset = filter_orch_tasks(queryset, spec)
    column = SORT_FIELDS[sort_field]
    ordering = f"-{column}" if sort_type == "DESC" else column
    queryset = queryset.order_by(ordering, "id") if sort_type == "ASC" else queryset.order_by(ordering, "-id")
    total = queryset.count()
    rows = list(queryset[page * size:(page + 1) * size])
    return {"elements": [workflow(task, project_id) for task in rows], "total_elements": total}


def _moment(ms: int):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, tz=UTC)


# Huawei's workflow statuses as the OrchTask statuses they cover (and whether a cancel was asked).
STATUS_FILTERS = {
    "success": (("Success",), None), "fail": (("Failed",), None), "cancel": (("Interrupted",), None),
    "waitExecute": (("Ready",), None), "pausing": (("Pausing", "Paused"), None),
    "executing": (("Running",), False), "canceling": (("Running",), True),
}


def workflow_status(task: OrchTask) -> str:
    status = orchtask_runs.task_status(task)
    if status == "Running" and task.latest_execution.cancel_requested:
        return "canceling"
    return {"Ready": "waitExecute", "Running": "executing", "Pausing": "pausing", "Paused": "pausing",
            "Success": "success", "Failed": "fail", "Interrupted": "cancel"}[status]


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000) if moment is not None else 0


def workflow(task: OrchTask, project_id: str) -> dict[str, Any]:
    kind = get_task_type(task.task_type)
    steps = orchtask_specs.effective_steps(task)
    template = svc.generated_template(task, steps)
    ex = task.latest_execution
    template_name = f"OrchTask-{task.pk}"
    return {
        "id": task.pk,
        "name": task.name,
        "type": "manual",
        "description": task.remark,
        "tags": {"task_type": task.task_type, "resource_type": task.resource_type, "region": task.region_id},
        "create_time": _ms(task.created_at),
        "create_by": task.created_by.get_username() if task.created_by else "",
        "update_time": _ms(task.updated_at),
        "update_by": "",
        "edit_time": 0,
        "template_id": template_name,
        "template_name": template_name,
        "template_i18n": {"en-us": {"name": kind.name, "description": template["Description"]},
                          "zh-cn": {"name": kind.name, "description": template["Description"]}},
        "task_type": task.task_type,
        "input": {
            "project_id": project_id,
            "region_id": task.region_id,
            "get_instances": {"type": "cmdb_manual" if task.steps.exists() else "condition",
                              "vm_id_list": json.dumps([rid for s in steps for rid in s.resource_ids]),
                              "condition": task.condition, "group": "vm_instance"},
            "steps": {"orders": json.dumps([{"order": s.order, "delay": s.delay, "resourceIDs": ",".join(
                s.resource_ids)} for s in steps]), "group": "steps"},
        },
        "nodes": [_node(node) for node in template["Tasks"]],
        "status": workflow_status(task),
        "last_execution_id": ex.pk if ex else "",
        "last_execution_start_time": _ms(ex.start_date or ex.created_at) if ex else 0,
        "last_execution_end_time": _ms(ex.end_date) if ex else 0,
        "last_execute_by": ex.executed_by if ex else "",
        "citation_urns": [],
        "quote": [],
        "steps": [],
        "execution_action_rules": [],
        "execution_permission": [],
        "is_delete": False,
        "enterprise_project_id": task.project_id or "0",
        "project_id": project_id,
    }


def _node(task: dict[str, Any]) -> dict[str, Any]:
    properties = dict(task.get("Properties", {}))
    if "Loop" in task:
        properties["VMIds"] = task["Loop"]["Items"]
    parameters = [{"key": f"properties.{key}", "value": value if isinstance(value, str) else json.dumps(value),
                   "default": "", "format": "", "isEditor": False, "showFormat": False}
                  for key, value in properties.items()]
    return {
        "id": task["Name"],
        "name": task["Name"],
        "task_name": task["Action"],
        "category": "service",
        "description": task.get("Description", ""),
        "ignore_error": False,
        "metadata": {"type": "operation", "configuration": {"func_app": "OOS", "func_urn": task["Action"],
                                                            "func_version": "latest", "parameters": parameters}},
    }
