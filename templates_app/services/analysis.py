"""Reading templates: validation reports, risky tasks and execution policies.

Wraps the pure language layer with what needs the database: finding the nested
templates an ``ACS::Template`` task names, within what the caller may see.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestration.errors import NotFound
from orchestration.models import Tenant
from templates_app.language import positions
from templates_app.language.loading import load_content
from templates_app.language.model import ParsedTemplate
from templates_app.language.problems import Problem, TemplateInvalid
from templates_app.language.public_parameters import TENANT_KEY
from templates_app.language.validation import validate
from templates_app.models import Template
from templates_app.services.templates import find_template, get_version

Resolver = Callable[[str, str | None], ParsedTemplate | None]


def _checked(content: Any, tenant_id: int | None = None) -> tuple[Any, list[Problem]]:
    """Problems of ``content``; with a tenant, also its unknown ``oos:``/``oos-secret:`` names."""
    context = {TENANT_KEY: str(tenant_id)} if tenant_id is not None else {}
    try:
        data = content if isinstance(content, dict) else load_content(content).data
        result = validate(data, context)
        return result, result.problems
    except TemplateInvalid as exc:
        return None, exc.problems


def validation_report(content: Any, tenant_id: int | None = None) -> dict[str, Any]:
    """ValidateTemplateContent's answer: the parsed sections, or every problem with its place."""
    result, problems = _checked(content, tenant_id)
    if problems:
        return _invalid([{"place": p.place, "message": p.message} for p in problems])
    return _valid(result)


def editor_report(text: str, tenant_id: int | None = None) -> dict[str, Any]:
    """The editor's answer: as :func:`validation_report`, each problem also with its line and column.

    Kept apart from ValidateTemplateContent so the API faces' documented shape does not change.
    """
    result, problems = _checked(text, tenant_id)
    if not problems:
        return _valid(result)
    root = positions.compose(text)
    located = []
    for p in problems:
        where = positions.Position(p.line, p.column or 1) if p.line else positions.locate(root, p.place)
        located.append({
            "place": p.place,
            "message": p.message,
            "line": where.line if where else None,
            "column": where.column if where else None,
        })
    return _invalid(located)


def _invalid(problems: list[dict[str, Any]]) -> dict[str, Any]:
    return {"valid": False, "problems": problems, "parameters": None, "tasks": None, "outputs": None}


def _valid(result: Any) -> dict[str, Any]:
    summary = result.parsed.summary()
    return {
        "valid": True,
        "problems": [],
        "parameters": summary["Parameters"],
        "tasks": summary["Tasks"],
        "outputs": summary["Outputs"],
    }


def parsed_version(template: Template, version: str | None = None) -> ParsedTemplate:
    """The parsed content of one stored version (stored versions always validated)."""
    stored = get_version(template, version)
    return ParsedTemplate.from_dict(load_content(stored.content).data)


def nested_resolver(user, tenant: Tenant | None) -> Resolver:
    """Finds templates named by ``ACS::Template`` tasks among those ``user`` may read."""

    def resolve(name: str, version: str | None) -> ParsedTemplate | None:
        try:
            template = find_template(user, name, tenant=tenant)
            return parsed_version(template, version)
        except NotFound:
            return None

    return resolve
