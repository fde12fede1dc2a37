"""``/v2/execution``: create an execution (by template reference or inline operators) and read it back.

Everything ``OosClient`` offers for executions: ``create_execution`` (POST) and
``get_execution_detail`` (GET ``?id=``). Both translate to the execution services.
"""
from __future__ import annotations

import json
from typing import Any

from orchestration.errors import InvalidParameter
from orchestration.faces.lookups import find_execution
from orchestration.models import Scope, Trigger
from orchestration.services import executions as service
from templates_app.language.baidu import from_baidu
from templates_app.models import Template
from templates_app.services import templates as template_service

from .execution_shapes import execution_detail
from .tags import tags_from_baidu
from .views import Call

REFERENCE_ONLY = ("ref", "id", "version")


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidParameter(name, "must be a JSON object")
    return value


def _version(value: Any) -> str | None:
    """``v2``, ``2`` or ``"2"`` (absent or empty: the newest version)."""
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return f"v{value}"
    if isinstance(value, str):
        return value if value.startswith("v") else f"v{value}"
    raise InvalidParameter("template.version", f"{value!r} is not a version such as v1 or 1")


def _referenced(call: Call, spec: dict[str, Any]) -> Template:
    ref = spec.get("ref") or spec.get("id") or spec.get("name")
    if not isinstance(ref, str) or not ref:
        raise InvalidParameter(
            "template", "give ref (a template id) or name of a stored template, or operators for an inline template"
        )
    # Found with read access: a reader may see it, and the service refuses the run (AccessDenied).
    template = template_service.find_template(call.caller.user, ref, tenant=call.caller.tenant, scope=Scope.VIEW)
    name = spec.get("name")
    if spec.get("ref") and name and name != template.name:
        raise InvalidParameter("template.name", f"template {template.pk} is named {template.name!r}, not {name!r}")
    return template


def _inline_content(spec: dict[str, Any]) -> str:
    if not isinstance(spec["operators"], list):
        raise InvalidParameter("template.operators", "must be a list of operators")
    return json.dumps(from_baidu({k: v for k, v in spec.items() if k not in REFERENCE_ONLY}), ensure_ascii=False)


def create_execution(call: Call) -> dict[str, Any]:
    spec = _object(call.body, "template")
    if not spec:
        raise InvalidParameter("template", "the template to run is required")
    description = call.body.get("description") or ""
    if not isinstance(description, str):
        raise InvalidParameter("description", "must be a string")
    inline = bool(spec.get("operators"))
    template = None if inline else _referenced(call, spec)
    name = spec.get("name") if isinstance(spec.get("name"), str) else ""
    execution = service.start_execution(
        tenant=call.caller.tenant,
        user=call.caller.user,
        template=template,
        version=None if inline else _version(spec.get("version")),
        parameters=_object(call.body, "properties"),
        trigger=Trigger.API,
        description=description,
        tags=tags_from_baidu(call.body.get("tags")),
        template_content=_inline_content(spec) if inline else None,
        template_name=name or "inline",
    )
    return {"id": execution.pk}


def get_execution(call: Call) -> dict[str, Any]:
    return execution_detail(find_execution(call.caller, call.query("id")))
