"""Objects in the wire shapes of Alibaba OOS 2019-06-01 ."""
from __future__ import annotations

import json
from typing import Any

from orchestration.faces.dates import iso_z as iso
from templates_app.models import Template, TemplateVersion


def template_meta(
    template: Template,
    tags: dict[str, str],
    version: TemplateVersion | None = None,
    *,
    listed: bool = False,
) -> dict[str, Any]:
    """``Template`` as CreateTemplate/GetTemplate answer it; ``listed`` adds ListTemplates' counters."""
    meta: dict[str, Any] = {
        "TemplateId": template.pk,
        "TemplateName": template.name,
        "TemplateVersion": version.name if version else template.version_name,
        "TemplateFormat": version.format if version else template.format,
        "TemplateType": template.template_type,
        "Description": version.description if version else template.description,
        "Hash": version.hash if version else template.hash,
        "ShareType": template.share_type,
        "HasTrigger": template.has_trigger,
        "Category": template.category,
        "CreatedBy": template.created_by,
        "CreatedDate": iso(template.created_at),
        "UpdatedBy": template.updated_by,
        "UpdatedDate": iso(template.updated_at),
        "Tags": tags,
    }
    if listed:
        meta["Popularity"] = template.popularity if template.is_public else -1
        meta["TotalExecutionCount"] = -1 if template.is_public else template.total_execution_count
    return meta


def execution_meta(execution) -> dict[str, Any]:
    """``Execution`` as StartExecution and ListExecutions answer it."""
    return {
        "ExecutionId": execution.pk,
        "TemplateId": execution.template_id or "",
        "TemplateName": execution.template_name,
        "TemplateVersion": execution.template_version,
        "Description": execution.description,
        "Mode": execution.mode,
        "LoopMode": execution.loop_mode,
        "SafetyCheck": execution.safety_check,
        "Status": execution.status,
        "StatusMessage": execution.status_message,
        "StatusReason": execution.status_reason,
        "Parameters": execution.parameters,
        "Outputs": execution.outputs,
        "Counters": execution.counters,
        "CurrentTasks": execution.current_tasks,
        "ExecutedBy": execution.executed_by,
        "IsParent": bool(getattr(execution, "is_parent", False)),
        "ParentExecutionId": execution.parent_id or "",
        "RamRole": "",
        "CreateDate": iso(execution.created_at),
        "StartDate": iso(execution.start_date),
        "EndDate": iso(execution.end_date),
        "UpdateDate": iso(execution.updated_at),
    }


def loop_item_text(item: Any) -> str:
    """A loop item as OOS shows it (a string): strings as they are, anything else as compact JSON."""
    if item is None:
        return ""
    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def _notify_note(task) -> str:
    """The note of the last notification (Approve, Reject, …) the task execution received."""
    notes = [n.get("note", "") for n in task.extra.get("notifications", []) if isinstance(n, dict)]
    return notes[-1] if notes else ""


def task_execution_meta(task) -> dict[str, Any]:
    """``TaskExecution`` as ListTaskExecutions answers it."""
    loop = task.extra.get("loop")
    return {
        "TaskExecutionId": task.pk,
        "ExecutionId": task.execution_id,
        "TemplateId": task.execution.template_id or "",
        "TaskName": task.task_name,
        "TaskAction": task.task_action,
        "Properties": task.properties,
        "Outputs": task.outputs,
        "Status": task.status,
        "StatusMessage": task.status_message,
        "LoopItem": loop_item_text(task.loop_item),
        "LoopBatchNumber": task.loop_batch,
        "Loop": {k: v for k, v in loop.items() if k != "items"} if isinstance(loop, dict) else {},
        "ParentTaskExecutionId": task.parent_task_execution_id or "",
        "ChildExecutionId": task.child_execution_id or "",
        "ExtraData": {"NotifyNote": note} if (note := _notify_note(task)) else {},
        "CreateDate": iso(task.created_at),
        "StartDate": iso(task.start_date),
        "EndDate": iso(task.end_date),
        "UpdateDate": iso(task.updated_at),
    }
