"""An execution in the wire shape of Baidu OOS ``GET /v2/execution`` .

Key for key as Baidu answers it: ``id, template, createdTimestamp, updatedTimestamp,
finishedTimestamp, state, properties, tasks, tags, trigger`` (timestamps in epoch ms).
``template`` is the snapshot the execution runs, its operators completed with the
values the engine applies. One entry of ``tasks`` per task execution row (a re-run
task has a row per run; a retried one is the same row), loop items as ``children``.

Task fields: ``operator`` carries the operator with its properties moved to
``initContext`` (as Baidu shows it), ``initContext`` the properties as written,
``context`` the properties as rendered for the run, ``outputContext`` the outputs,
``tries`` the retries made (0 when the first try settled it), ``revision`` the row's
last change in ms.
"""
from __future__ import annotations

from typing import Any

from orchestration.engine.templates import parsed_content
from orchestration.faces.dates import epoch_ms
from orchestration.models import Execution, ExecutionStatus, TaskExecution, TaskStatus, Trigger
from orchestration.services import executions as execution_service
from orchestration.services import tags as tag_service
from templates_app.language.model import TaskSpec

from .shapes import baidu_content
from .tags import baidu_tags

EXECUTION_STATES: dict[str, str] = {
    ExecutionStatus.STARTED: "PENDING",
    ExecutionStatus.QUEUED: "PENDING",
    ExecutionStatus.RUNNING: "RUNNING",
    ExecutionStatus.WAITING: "PAUSED",  # waits for a person: approval, a manual operator, pause on failure
    ExecutionStatus.SUCCESS: "SUCCESS",
    ExecutionStatus.FAILED: "FAILED",
    ExecutionStatus.CANCELLED: "CANCELED",
}
TASK_STATES: dict[str, str] = {
    TaskStatus.PENDING: "PENDING",
    TaskStatus.RUNNING: "RUNNING",
    TaskStatus.WAITING: "PAUSED",
    TaskStatus.SUCCESS: "SUCCESS",
    TaskStatus.FAILED: "FAILED",
    TaskStatus.CANCELLED: "CANCELED",
    TaskStatus.SKIPPED: "SKIPPED",
}
RETRY_STATE = "UP_FOR_RETRY"  # a failed try waiting for its retry interval
TRIGGERS: dict[str, str] = {Trigger.MANUAL: "MANUAL", Trigger.API: "MANUAL", Trigger.TIMER: "TIMER"}


def _ms(seconds: float | None) -> int:
    return 0 if seconds is None else int(round(seconds * 1000))


def _operator(raw: dict[str, Any], spec: TaskSpec) -> dict[str, Any]:
    """A template operator with every field the engine applies (``timeout`` 0: none)."""
    known = {"name", "operator", "retries", "retryInterval", "timeout", "manually", "scheduleDelayMilli",
             "pauseOnFailure", "properties", "initContext"}
    operator = {
        "name": spec.name,
        "operator": spec.action,
        "retries": spec.retries,
        "retryInterval": _ms(spec.retry_interval),
        "timeout": _ms(spec.timeout),
        "manually": spec.manually,
        "scheduleDelayMilli": _ms(spec.schedule_delay),
        "pauseOnFailure": spec.pause_on_failure,
        "properties": raw.get("properties", {}),
        "initContext": raw.get("initContext", {}),
    }
    operator.update({k: v for k, v in raw.items() if k not in known})
    return operator


def execution_template(execution: Execution) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The template an execution runs, in Baidu's shape, and its operators by name."""
    body = baidu_content(execution.template_content)
    specs = {spec.name: spec for spec in parsed_content(execution.template_content).tasks}
    operators = [_operator(op, specs[op["name"]]) for op in body["operators"] if op.get("name") in specs]
    stored = execution.template
    template: dict[str, Any] = {
        "name": execution.template_name,
        "type": "GLOBAL" if stored is not None and stored.is_public else "INDIVIDUAL",
        "tags": body["tags"],
        "linear": body["linear"],
        "links": body["links"],
        "operators": operators,
        "properties": body["properties"],
    }
    if execution.template_id:
        template["ref"] = execution.template_id
        template["version"] = execution.template_version
    return template, {op["name"]: op for op in operators}


def _task_state(task: TaskExecution) -> str:
    if task.status == TaskStatus.RUNNING and task.extra.get("retry_pending"):
        return RETRY_STATE
    return TASK_STATES[task.status]


def _task(task: TaskExecution, operators: dict[str, dict[str, Any]], children: list[dict[str, Any]]) -> dict[str, Any]:
    operator = operators.get(task.task_name, {"name": task.task_name, "operator": task.task_action})
    init_context = operator.get("properties", {})
    return {
        "id": task.pk,
        "revision": epoch_ms(task.updated_at),
        "createdTimestamp": epoch_ms(task.created_at),
        "updatedTimestamp": epoch_ms(task.updated_at),
        "finishedTimestamp": epoch_ms(task.end_date),
        "state": _task_state(task),
        "operator": {**operator, "properties": {}, "initContext": init_context},
        "initContext": init_context,
        "context": task.properties,
        "outputContext": task.outputs,
        "tries": max(task.tries - 1, 0),
        "children": children,
    }


def execution_detail(execution: Execution) -> dict[str, Any]:
    """``GET /v2/execution?id=`` for one execution."""
    template, operators = execution_template(execution)
    rows = list(TaskExecution.objects.filter(execution=execution).order_by("created_at", "loop_index", "id"))
    children: dict[str, list[TaskExecution]] = {}
    for row in rows:
        if row.parent_task_execution_id:
            children.setdefault(row.parent_task_execution_id, []).append(row)

    def shape(row: TaskExecution) -> dict[str, Any]:
        return _task(row, operators, [shape(child) for child in children.get(row.pk, [])])

    tags = tag_service.tags_of(execution_service.TAG_RESOURCE, [execution.pk]).get(execution.pk, {})
    return {
        "id": execution.pk,
        "template": template,
        "createdTimestamp": epoch_ms(execution.created_at),
        "updatedTimestamp": epoch_ms(execution.updated_at),
        "finishedTimestamp": epoch_ms(execution.end_date),
        "state": EXECUTION_STATES[execution.status],
        "properties": execution.parameters,
        "tasks": [shape(row) for row in rows if not row.parent_task_execution_id],
        "tags": baidu_tags(tags),
        "trigger": TRIGGERS.get(execution.trigger, execution.trigger.upper()),
    }
