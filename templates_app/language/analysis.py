"""Risk and permission analysis of a template, nested templates included.

``risky_tasks`` answers ListExecutionRiskyTasks and ``execution_policy`` answers
GenerateExecutionPolicy, in Alibaba OOS's shapes. Nested templates (``ACS::Template``) are
looked up through ``resolve_nested`` so this module stays free of the database; a name
that cannot be resolved (or is an expression) is skipped, and recursion stops at
templates already on the path, so a self-nesting template cannot loop forever.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestration.actions import get_action

from .model import ParsedTemplate

NestedResolver = Callable[[str, "str | None"], "ParsedTemplate | None"]
MAX_NESTING = 10


def _nested_ref(properties: dict[str, Any]) -> tuple[str, str | None] | None:
    name = properties.get("TemplateName")
    version = properties.get("TemplateVersion")
    if not isinstance(name, str) or "{{" in name:
        return None
    if not isinstance(version, str) or "{{" in version:
        version = None
    return name, version


def _walk(
    parsed: ParsedTemplate,
    template_name: str,
    resolve_nested: NestedResolver,
    task_path: list[str],
    template_path: list[str],
    visit: Callable[[Any, Any, list[str], list[str]], None],
) -> None:
    for task in parsed.tasks:
        action = get_action(task.action)
        here = [*task_path, task.name]
        templates = [*template_path, template_name]
        if action is None:
            continue
        visit(action, task, here, templates)
        if task.action == "ACS::Template" and len(templates) < MAX_NESTING:
            ref = _nested_ref(task.properties)
            if ref is None or ref[0] in templates:
                continue
            child = resolve_nested(ref[0], ref[1])
            if child is not None:
                _walk(child, ref[0], resolve_nested, here, templates, visit)


def risky_tasks(
    parsed: ParsedTemplate, resolve_nested: NestedResolver, template_name: str = ""
) -> list[dict[str, Any]]:
    """High-risk tasks as ``[{"Service", "API", "Task": [path…], "Template": [path…]}]``.

    One entry per risky task; ``Task`` is the task path from the root template
    (``["parenttask1", "childtask2"]``) and ``Template`` the templates along it, root
    first, as in Alibaba's example. Sorted by Service, API, then path.
    """
    found: list[dict[str, Any]] = []

    def visit(action: Any, task: Any, here: list[str], templates: list[str]) -> None:
        if action.is_high_risk():
            found.append({"Service": action.service, "API": action.api, "Task": here, "Template": templates})

    _walk(parsed, template_name, resolve_nested, [], [], visit)
    found.sort(key=lambda r: (r["Service"], r["API"], r["Task"]))
    return found


def execution_policy(
    parsed: ParsedTemplate, resolve_nested: NestedResolver, template_name: str = ""
) -> dict[str, Any]:
    """The policy an execution needs: ``{"Version": "1", "Statement": [{"Effect": "Allow",
    "Action": [...], "Resource": "*"}]}`` (Alibaba OOS's Policy), permissions sorted."""
    permissions: set[str] = set()

    def visit(action: Any, task: Any, here: list[str], templates: list[str]) -> None:
        permissions.update(action.permissions_for(task.properties))

    _walk(parsed, template_name, resolve_nested, [], [], visit)
    statement = {"Effect": "Allow", "Action": sorted(permissions), "Resource": "*"}
    return {"Version": "1", "Statement": [statement] if permissions else []}
