"""Template actions: Create/Delete/Get/List/UpdateTemplate, ValidateTemplateContent,
ListExecutionRiskyTasks and GenerateExecutionPolicy — translations to the template services."""
from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from orchestration.errors import InvalidParameter
from orchestration.faces.paging import page
from orchestration.models import Scope
from orchestration.services import tags as tag_service
from templates_app.language import analysis as language_analysis
from templates_app.models import ShareType, Template, TemplateFormat
from templates_app.services import analysis
from templates_app.services import templates as service

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
    rows = Template.objects.for_user(caller.user, Scope.VIEW).filter(
        Q(tenant=caller.tenant) | Q(share_type=ShareType.PUBLIC)
    )
    if (name := p.str("TemplateName")) is not None:
        rows = rows.filter(name__icontains=name)
    if (created_by := p.str("CreatedBy")) is not None:
        rows = rows.filter(share_type=ShareType.PUBLIC) if created_by == "ACS" else rows.filter(created_by=created_by)
    if (after := p.date("CreatedDateAfter")) is not None:
        rows = rows.filter(created_at__gte=after)
    if (before := p.date("CreatedDateBefore")) is not None:
        rows = rows.filter(created_at__lte=before)
    if (has_trigger := p.bool("HasTrigger")) is not None:
        rows = rows.filter(has_trigger=has_trigger)
    if (share_type := p.str("ShareType", choices=tuple(ShareType.values))) is not None:
        rows = rows.filter(share_type=share_type)
    if (fmt := p.str("TemplateFormat", choices=tuple(TemplateFormat.values))) is not None:
        rows = rows.filter(format=fmt)
    if (template_type := p.str("TemplateType")) is not None:
        rows = rows.filter(template_type=template_type)
    if (category := p.str("Category")) is not None:
        rows = rows.filter(category=category)
    if (tags := p.json("Tags", dict)) is not None:
        rows = tag_service.filter_by_tags(rows, service.TAG_RESOURCE, tag_service.check_tags(tags))
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
