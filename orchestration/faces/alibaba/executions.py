"""Execution actions: Start/Cancel/Notify/DeleteExecutions, ListExecutions, ListTaskExecutions,
ListExecutionLogs and GetExecutionTemplate — translations to the execution services."""
from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef

from orchestration.engine.operations import NOTIFY_TYPES
from orchestration.faces.lookups import find_execution
from orchestration.faces.paging import page
from orchestration.models import Execution, ExecutionLog, ExecutionStatus, Scope, TaskExecution, TaskStatus
from orchestration.services import executions as service
from orchestration.services import tags as tag_service
from orchestration.services.execution_queries import ExecutionFilter, filter_executions
from orchestration.services.task_execution_queries import (
    LogFilter,
    TaskExecutionFilter,
    filter_logs,
    filter_task_executions,
)
from templates_app.services import templates as template_service

from .registry import Call, action
from .shapes import execution_meta, iso, loop_item_text, task_execution_meta, template_meta

SORT_FIELDS = {"StartDate": "created_at", "EndDate": "end_date", "Status": "status"}
# A task execution's own columns and, of its execution, only the template id (not its content and state).
TASK_EXECUTION_COLUMNS = [f.name for f in TaskExecution._meta.concrete_fields] + ["execution__template_id"]


def _execution(call: Call, scope: str = Scope.VIEW) -> Execution:
    return find_execution(call.caller, call.params.str("ExecutionId", required=True, max_length=64), scope)


def _order(call: Call, model: type[Execution | TaskExecution], default: str = "StartDate"):
    """``SortField``/``SortOrder`` as an ordering; NULLs (no end date yet) last either way.

    The NULLS clause is written only for a nullable field: on a NOT NULL column it would
    not change the order, but would stop PostgreSQL from reading it off the index.
    """
    field = SORT_FIELDS[call.params.str("SortField", default=default, choices=tuple(SORT_FIELDS))]
    descending = call.params.str("SortOrder", default="Descending", choices=("Ascending", "Descending")) == "Descending"
    nulls = {"nulls_last": True} if model._meta.get_field(field).null else {}
    return F(field).desc(**nulls) if descending else F(field).asc(**nulls)


def _loop_item(execution: Execution, text: str | None) -> Any:
    """The engine's loop item for ``LoopItem`` (OOS sends its text: ``2`` for the item 2)."""
    if text is None:
        return None
    items = TaskExecution.objects.filter(execution=execution, loop_item__isnull=False).values_list(
        "loop_item", flat=True
    )
    return next((item for item in items if loop_item_text(item) == text), text)


@action("StartExecution")
def start_execution(call: Call) -> dict[str, Any]:
    p = call.params
    caller = call.caller
    content = p.str("TemplateContent")
    template = None
    if content is None or p.str("TemplateName") is not None:
        name = p.str("TemplateName", required=True, max_length=200)
        template = template_service.find_template(caller.user, name, tenant=caller.tenant, scope=Scope.RUN)
    execution = service.start_execution(
        tenant=caller.tenant,
        user=caller.user,
        template=template,
        version=p.str("TemplateVersion"),
        parameters=p.json("Parameters", dict) or {},
        mode=p.str("Mode", default="Automatic"),
        loop_mode=p.str("LoopMode", default="Automatic"),
        safety_check=p.str("SafetyCheck", default="ConfirmEveryHighRiskAction"),
        client_token=p.str("ClientToken", default="", max_length=64),
        trigger="API",
        description=p.str("Description", default="", max_length=200),
        tags=p.json("Tags", dict),
        template_content=content if template is None else None,
    )
    return {"Execution": execution_meta(execution)}


@action("CancelExecution")
def cancel_execution(call: Call) -> dict[str, Any]:
    service.cancel_execution(_execution(call), call.caller.user)
    return {}


@action("DeleteExecutions")
def delete_executions(call: Call) -> dict[str, Any]:
    ids = call.params.json_list("ExecutionIds", required=True, maximum=service.MAX_DELETE)
    service.delete_executions(call.caller.tenant, call.caller.user, ids)
    return {}


@action("NotifyExecution")
def notify_execution(call: Call) -> dict[str, Any]:
    p = call.params
    execution = _execution(call)
    service.notify_execution(
        execution,
        call.caller.user,
        p.str("NotifyType", required=True, choices=NOTIFY_TYPES),
        task_execution_id=p.str("TaskExecutionId"),
        task_name=p.str("TaskName"),
        loop_item=_loop_item(execution, p.str("LoopItem")),
        parameters=p.json("Parameters", dict),
        execution_status=p.str("ExecutionStatus"),
        note=p.str("NotifyNote", default="", max_length=200),
    )
    return {}


@action("ListExecutions")
def list_executions(call: Call) -> dict[str, Any]:
    p = call.params
    tags = p.json("Tags", dict)
    spec = ExecutionFilter(
        tenant=call.caller.tenant,
        ids=[execution_id] if (execution_id := p.str("ExecutionId")) is not None else (),
        parent=p.str("ParentExecutionId"), include_children=p.bool("IncludeChildExecution", default=False),
        template_name=p.str("TemplateName"),
        statuses=[status] if (status := p.str("Status", choices=tuple(ExecutionStatus.values))) else (),
        mode=p.str("Mode"), executed_by=p.str("ExecutedBy"),
        tags=tag_service.check_tags(tags) if tags is not None else {},
        # OOS's StartDate is when the execution was created (it may start later).
        created_after=p.date("StartDateAfter"), created_before=p.date("StartDateBefore"),
        ended_after=p.date("EndDateAfter"), ended_before=p.date("EndDateBefore"),
    )
    rows = filter_executions(Execution.objects.for_user(call.caller.user, Scope.VIEW), spec)
    rows = rows.annotate(
        is_parent=Exists(Execution.objects.filter(parent=OuterRef("pk")))
    ).order_by(_order(call, Execution), "pk")
    size = p.int("MaxResults", default=50, minimum=10, maximum=100)
    items, next_token = page(rows, p.str("NextToken"), size)
    tags_by_id = tag_service.tags_of(service.TAG_RESOURCE, [e.pk for e in items])
    executions = [{**execution_meta(e), "Tags": tags_by_id.get(e.pk, {})} for e in items]
    return {"Executions": executions, "MaxResults": size, "NextToken": next_token}


@action("ListTaskExecutions")
def list_task_executions(call: Call) -> dict[str, Any]:
    p = call.params
    spec = TaskExecutionFilter(
        tenant=call.caller.tenant, execution_id=p.str("ExecutionId"),
        ids=[te_id] if (te_id := p.str("TaskExecutionId")) is not None else (),
        parent=p.str("ParentTaskExecutionId"), include_children=p.bool("IncludeChildTaskExecution", default=False),
        task_name=p.str("TaskName"), task_action=p.str("TaskAction"),
        statuses=[status] if (status := p.str("Status", choices=tuple(TaskStatus.values))) is not None else (),
        # OOS's StartDate is when the task execution was created.
        created_after=p.date("StartDateAfter"), created_before=p.date("StartDateBefore"),
        ended_after=p.date("EndDateAfter"), ended_before=p.date("EndDateBefore"),
    )
    rows = filter_task_executions(TaskExecution.objects.for_user(call.caller.user, Scope.VIEW), spec)
    rows = rows.select_related("execution").only(*TASK_EXECUTION_COLUMNS).order_by(_order(call, TaskExecution), "pk")
    size = p.int("MaxResults", default=50, minimum=20, maximum=100)
    items, next_token = page(rows, p.str("NextToken"), size)
    return {"TaskExecutions": [task_execution_meta(t) for t in items], "MaxResults": size, "NextToken": next_token}


@action("ListExecutionLogs")
def list_execution_logs(call: Call) -> dict[str, Any]:
    p = call.params
    execution = _execution(call)
    spec = LogFilter(execution_id=execution.pk, task_execution_id=p.str("TaskExecutionId"), log_type=p.str("LogType"))
    rows = filter_logs(ExecutionLog.objects.all(), spec).order_by("id")
    size = p.int("MaxResults", default=50, minimum=20, maximum=100)
    items, next_token = page(rows, p.str("NextToken"), size)
    logs = [
        {"Timestamp": iso(log.created_at), "Message": log.message, "LogType": log.log_type,
         "TaskExecutionId": log.task_execution_id or ""}
        for log in items
    ]
    return {"ExecutionLogs": logs, "IsTruncated": bool(next_token), "MaxResults": size, "NextToken": next_token}


@action("GetExecutionTemplate")
def get_execution_template(call: Call) -> dict[str, Any]:
    execution = _execution(call)
    template = execution.template
    if template is not None:
        tags = tag_service.tags_of(template_service.TAG_RESOURCE, [template.pk]).get(template.pk, {})
        meta = template_meta(template, tags)
        meta["TemplateVersion"] = execution.template_version
        meta["Hash"] = template_service.content_hash(execution.template_content)
    else:
        meta = {"TemplateName": execution.template_name, "TemplateVersion": execution.template_version,
                "Hash": template_service.content_hash(execution.template_content)}
    return {"Content": execution.template_content, "Template": meta}
