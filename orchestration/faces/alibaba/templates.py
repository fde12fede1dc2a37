"""Template actions: Create/Delete/Get/List/UpdateTemplate, ValidateTemplateContent,
ListExecutionRiskyTasks and GenerateExecutionPolicy — translations to the template services."""
from __future__ import annotations

from typing import Any

from django.db.models import F

from orchestration.errors import InvalidParameter
from orchestration.faces.paging import page
from orchestration.models import Scope
from orchestration.services import tags as tag_service
from templates_app.language import analysis as language_analysis
from templates_app.models import ShareType, Template, TemplateFormat
from templates_app.services import analysis
from templates_app.services import templates as service
from templates_app.services.template_queries import TemplateFilter, filter_templates

from .errors import AlibabaError
from .registry import Call, action
from .shapes import template_meta

MAX_CONTENT = 64 * 1024
SORT_FIELDS = {
    "TotalExecutionCount": "total_execution_count",
    "Popularity": "popularity",
    "TemplateName": "name",
    "CreatedDate": "created_at",
}


def _content(call: Call, *, required: bool) -> str | None:
    content = call.params.str("Content", required=required)
    if content is not None and len(content.encode()) > MAX_CONTENT:
        size = len(content.encode())
        raise InvalidParameter("Content", f"the template content is limited to 64 KB, got {size} bytes")
    return content


def _tags(call: Call) -> dict[str, str] | None:
    tags = call.params.json("Tags", dict)
    if tags is not None:
        return tag_service.check_tags(tags)
    return None


def _find(call: Call, scope: str = Scope.VIEW) -> Template:
    name = call.params.str("TemplateName", required=True, max_length=200)
    return service.find_template(call.caller.user, name, tenant=call.caller.tenant, scope=scope)


def _meta(template: Template, version=None) -> dict[str, Any]:
    tags = tag_service.tags_of(service.TAG_RESOURCE, [template.pk]).get(template.pk, {})
    return template_meta(template, tags, version)


@action("CreateTemplate")
def create_template(call: Call) -> dict[str, Any]:
    name = call.params.str("TemplateName", required=True)
    content = _content(call, required=True)
    template = service.create_template(
        tenant=call.caller.tenant,
        actor=call.caller.user,
        name=name,
        content=content,
        tags=_tags(call),
        version_description=call.params.str("VersionName", default="", max_length=200),
    )
    return {"Template": _meta(template)}


@action("UpdateTemplate")
def update_template(call: Call) -> dict[str, Any]:
    template = _find(call, Scope.RUN)
    template = service.update_template(
        template,
        actor=call.caller.user,
        content=_content(call, required=False),
        tags=_tags(call),
        version_description=call.params.str("VersionName", default="", max_length=200),
    )
    return {"Template": _meta(template)}


@action("DeleteTemplate")
def delete_template(call: Call) -> dict[str, Any]:
    service.delete_template(_find(call, Scope.RUN), actor=call.caller.user)
    return {}


@action("GetTemplate")
def get_template(call: Call) -> dict[str, Any]:
    template = _find(call)
    version = service.get_version(template, call.params.str("TemplateVersion"))
    return {"Content": version.content, "Template": _meta(template, version)}


@action("ListTemplates")
def list_templates(call: Call) -> dict[str, Any]:
    p = call.params
    caller = call.caller
    name, created_by = p.str("TemplateName"), p.str("CreatedBy")
    spec = TemplateFilter(
        tenant=caller.tenant, with_public=True, name=name,
        created_by=created_by if created_by != "ACS" else None, public_only=created_by == "ACS",
        created_after=p.date("CreatedDateAfter"), created_before=p.date("CreatedDateBefore"),
        has_trigger=p.bool("HasTrigger"), share_type=p.str("ShareType", choices=tuple(ShareType.values)),
        content_format=p.str("TemplateFormat", choices=tuple(TemplateFormat.values)),
        template_type=p.str("TemplateType"), category=p.str("Category"),
        tags=tag_service.check_tags(tags) if (tags := p.json("Tags", dict)) is not None else {},
    )
    rows = filter_templates(Template.objects.for_user(caller.user, Scope.VIEW), spec)
    field = SORT_FIELDS[p.str("SortField", default="TotalExecutionCount", choices=tuple(SORT_FIELDS))]
    descending = p.str("SortOrder", default="Descending", choices=("Ascending", "Descending")) == "Descending"
    order = F(field).desc() if descending else F(field).asc()
    rows = rows.order_by(order, "pk")
    size = p.int("MaxResults", default=50, minimum=20, maximum=100)
    items, next_token = page(rows, p.str("NextToken"), size)
    tags = tag_service.tags_of(service.TAG_RESOURCE, [t.pk for t in items])
    return {
        "Templates": [template_meta(t, tags.get(t.pk, {}), listed=True) for t in items],
        "MaxResults": size,
        "NextToken": next_token,
    }


@action("ValidateTemplateContent")
def validate_template_content(call: Call) -> dict[str, Any]:
    report = analysis.validation_report(_content(call, required=True), call.caller.tenant.pk)
    if not report["valid"]:
        problems = "; ".join(f"{p['place']}: {p['message']}" if p["place"] else p["message"]
                             for p in report["problems"])
        raise AlibabaError("InvalidTemplate", f"The template is invalid: {problems}")
    return {"Parameters": report["parameters"], "Tasks": report["tasks"], "Outputs": report["outputs"]}


@action("ListExecutionRiskyTasks")
def list_execution_risky_tasks(call: Call) -> dict[str, Any]:
    template = _find(call)
    parsed = analysis.parsed_version(template, call.params.str("TemplateVersion"))
    resolver = analysis.nested_resolver(call.caller.user, call.caller.tenant)
    return {"RiskyTasks": language_analysis.risky_tasks(parsed, resolver, template.name)}


@action("GenerateExecutionPolicy")
def generate_execution_policy(call: Call) -> dict[str, Any]:
    template = _find(call)
    parsed = analysis.parsed_version(template, call.params.str("TemplateVersion"))
    resolver = analysis.nested_resolver(call.caller.user, call.caller.tenant)
    return {"Policy": language_analysis.execution_policy(parsed, resolver, template.name)}
