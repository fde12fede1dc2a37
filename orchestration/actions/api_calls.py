"""The read operations ``ACS::ExecuteAPI``, ``ACS::WaitFor`` and ``ACS::CheckFor`` can call.

Each is a function of the execution's tenant and the call's ``Parameters`` that
returns a JSON-able answer, shaped like the matching OOS/vSphere API answer so
ValueSelectors written for the cloud keep working. Other apps add theirs with
:func:`read_operation` (``vsphere.read_operations``, from its app's ``ready()``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from orchestration.models import Execution
from orchestration.services.execution_queries import ExecutionFilter, filter_executions
from templates_app.models import ShareType, Template

from .registry import register_read_operation

ReadOperation = Callable[[int, dict[str, Any]], Any]
_OPERATIONS: dict[tuple[str, str], ReadOperation] = {}


def read_operation(service: str, api: str) -> Callable[[ReadOperation], ReadOperation]:
    def register(fn: ReadOperation) -> ReadOperation:
        _OPERATIONS[(service.lower(), api)] = fn
        register_read_operation(service, api)
        return fn

    return register


def call(service: str, api: str, tenant_id: int, parameters: dict[str, Any] | None) -> Any:
    fn = _OPERATIONS.get(((service or "OOS").lower(), api))
    if fn is None:
        known = ", ".join(f"{s.upper()}:{a}" for s, a in sorted(_OPERATIONS))
        raise LookupError(f"no read operation {service}:{api}; known: {known}")
    return fn(tenant_id, dict(parameters or {}))


def _execution_row(execution) -> dict[str, Any]:
    return {
        "ExecutionId": execution.id,
        "TemplateName": execution.template_name,
        "TemplateVersion": execution.template_version,
        "Status": execution.status,
        "StatusMessage": execution.status_message,
        "Outputs": execution.outputs,
        "Parameters": execution.parameters,
        "Mode": execution.mode,
    }


@read_operation("OOS", "GetExecution")
@read_operation("OOS", "ListExecutions")
def list_executions(tenant_id: int, parameters: dict[str, Any]) -> dict[str, Any]:
    spec = ExecutionFilter(  # the read path every face uses; children are listed too, as before
        ids=[parameters["ExecutionId"]] if parameters.get("ExecutionId") else (),
        parent=parameters.get("ParentExecutionId") or None, include_children=True,
        statuses=(parameters["Status"],) if parameters.get("Status") else (),
        template_name=parameters.get("TemplateName") or None,
    )
    rows = filter_executions(Execution.objects.filter(tenant_id=tenant_id), spec)
    limit = max(1, min(int(parameters.get("MaxResults", 50)), 100))
    return {"Executions": [_execution_row(e) for e in rows.order_by("-created_at")[:limit]]}


@read_operation("OOS", "ListTemplates")
def list_templates(tenant_id: int, parameters: dict[str, Any]) -> dict[str, Any]:
    rows = Template.objects.filter(Q(tenant_id=tenant_id) | Q(share_type=ShareType.PUBLIC))
    if parameters.get("TemplateName"):
        rows = rows.filter(name__icontains=parameters["TemplateName"])
    return {
        "Templates": [
            {"TemplateName": t.name, "TemplateId": t.id, "TemplateVersion": t.version_name, "ShareType": t.share_type}
            for t in rows.order_by("name")[:100]
        ]
    }
