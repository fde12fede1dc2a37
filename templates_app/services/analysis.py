"""Reading templates: validation reports, risky tasks and execution policies.

Wraps the pure language layer with what needs the database: finding the nested
templates an ``ACS::Template`` task names, within what the caller may see.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestration.errors import NotFound
from orchestration.models import Tenant
from templates_app.language.loading import load_content
from templates_app.language.model import ParsedTemplate
from templates_app.language.problems import TemplateInvalid
from templates_app.language.validation import validate
from templates_app.models import Template
from templates_app.services.templates import find_template, get_version

Resolver = Callable[[str, str | None], ParsedTemplate | None]


def validation_report(content: Any) -> dict[str, Any]:
    """ValidateTemplateContent's answer: the parsed sections, or every problem with its place."""
    try:
        data = content if isinstance(content, dict) else load_content(content).data
        result = validate(data)
        problems = result.problems
    except TemplateInvalid as exc:
        result, problems = None, exc.problems
    if problems:
        return {
            "valid": False,
            "problems": [{"place": p.place, "message": p.message} for p in problems],
            "parameters": None,
            "tasks": None,
            "outputs": None,
        }
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
