"""Template pages: list, detail (versions, diff, risk), editor with live validation.

Every write goes through ``templates_app.services.templates`` and every analysis
through ``templates_app.services.analysis`` / ``templates_app.language.analysis``,
exactly as the native API does, so the console cannot drift from the API's rules.
"""
from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orchestration.actions import all_actions
from orchestration.console import colouring, graph, selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.forms import TemplateFilterForm, TemplateForm, format_tags
from orchestration.console.pages import render_page
from orchestration.console.views.schedules import schedule_rows
from orchestration.errors import Forbidden, ServiceError
from orchestration.models import Scope
from orchestration.services.tags import tags_of
from templates_app.language import analysis as language_analysis
from templates_app.models import ShareType, Template
from templates_app.services import analysis
from templates_app.services import templates as service

PAGE_SIZE = 20

NEW_TEMPLATE_SKELETON = """FormatVersion: OOS-2019-06-01
Description: What this runbook does, in one sentence.
Parameters:
  VMId:
    Type: String
    Description: Managed object id of the VM, for example vm-42.
Tasks:
  - Name: wait
    Action: ACS::Sleep
    Properties:
      Duration: PT1M
"""


def localized(description: str) -> str:
    """A description in the reader's language when the template gives several (``{"en": …, "zh-cn": …}``)."""
    try:
        texts = json.loads(description) if description.startswith("{") else None
    except ValueError:
        texts = None
    if not isinstance(texts, dict):
        return description
    wanted = ("zh-cn", "zh", "en") if (get_language() or "").startswith("zh") else ("en", "zh-cn")
    for key in wanted:
        if texts.get(key):
            return str(texts[key])
    return str(next(iter(texts.values()), ""))


def _visible(request: HttpRequest):
    """The templates of the selected tenant plus the public ones (what the switcher promises)."""
    tenant = selection.current(request).tenant
    return selection.scoped(request, Template, tenant, also=Q(share_type=ShareType.PUBLIC))


def _find(request: HttpRequest, template_id: str, scope: str = Scope.VIEW) -> Template:
    return service.find_template(request.user, template_id, tenant=selection.current(request).tenant, scope=scope)


@signed_in
def template_list(request: HttpRequest) -> HttpResponse:
    form = TemplateFilterForm(request.GET or None)
    queryset = form.apply(_visible(request).select_related("tenant"))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    tags = tags_of(service.TAG_RESOURCE, [t.pk for t in page])
    rows = [{"template": t, "tags": tags.get(t.pk, {}), "description": localized(t.description)} for t in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    if request.htmx and request.htmx.target == "template-results":
        return render(request, "console/templates/_results.html", context)
    tenant = selection.current(request).tenant
    context["can_write"] = selection.can(request, tenant, Scope.RUN)
    return render_page(request, "console/templates/list.html", context, active="templates")


@signed_in
@service_errors("templates")
def template_detail(request: HttpRequest, template_id: str) -> HttpResponse:
    template = _find(request, template_id)
    version = service.get_version(template, request.GET.get("version"))
    parsed = analysis.parsed_version(template, version.name)
    resolver = analysis.nested_resolver(request.user, template.tenant)
    tenant = selection.current(request).tenant
    context = {
        "template": template,
        "version": version,
        "versions": list(template.versions.order_by("-number")),
        "description": localized(version.description),
        "tags": tags_of(service.TAG_RESOURCE, [template.pk]).get(template.pk, {}),
        "lines": colouring.highlight(version.content),
        "parameters": list(parsed.parameters.values()),
        "tasks": parsed.tasks,
        "graph": graph.build(parsed, []),
        "risky_tasks": language_analysis.risky_tasks(parsed, resolver, template.name),
        "policy": language_analysis.execution_policy(parsed, resolver, template.name),
        "can_write": not template.is_public and selection.can(request, template.tenant, Scope.RUN),
        "can_delete": not template.is_public and selection.can(request, template.tenant, Scope.RUN),
        "can_run": selection.can(request, tenant, Scope.RUN),
        "schedules": schedule_rows(request, template),
    }
    return render_page(request, "console/templates/detail.html", context, active="templates")


@signed_in
@service_errors("templates")
def template_diff(request: HttpRequest, template_id: str) -> HttpResponse:
    template = _find(request, template_id)
    versions = list(template.versions.order_by("-number"))
    new = request.GET.get("new") or template.version_name
    old = request.GET.get("old") or (versions[1].name if len(versions) > 1 else new)
    text = service.diff_versions(template, old, new)
    context = {
        "template": template,
        "versions": versions,
        "old": old,
        "new": new,
        "lines": colouring.diff_lines(text),
        "identical": not text,
    }
    return render_page(request, "console/templates/diff.html", context, active="templates")


def action_catalog() -> list[dict[str, Any]]:
    """What the editor completes: each action's name, risk and properties (ListActions' facts)."""
    catalog = []
    for action in all_actions():
        described = action.describe()
        catalog.append({
            "name": action.name,
            "risk": action.risk,
            "required": list(action.properties_schema.get("required", [])),
            "properties": {
                key: {"type": prop["Type"], "description": prop["Description"]}
                for key, prop in described["Properties"].items()
            },
        })
    return catalog


def _editor(request: HttpRequest, form: TemplateForm, template: Template | None, status: int = 200) -> HttpResponse:
    content = form["content"].value() or ""
    context = {
        "form": form,
        "template": template,
        "report": analysis.editor_report(content, _tenant_id(request)),
        "action_catalog": action_catalog(),
    }
    return render_page(request, "console/templates/edit.html", context, active="templates", status=status)


@signed_in
@service_errors("templates")
def template_create(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    if not selection.can(request, tenant, Scope.RUN):  # before showing the form; the service decides on save
        raise Forbidden(_("Your role in this tenant does not allow creating templates."))
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                template = service.create_template(
                    tenant=tenant,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    content=form.cleaned_data["content"],
                    tags=form.cleaned_data["tags"],
                    version_description=form.cleaned_data["version_description"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                return redirect("console:template-detail", template_id=template.pk)
        return _editor(request, form, None, status=400)
    initial: dict[str, Any] = {"content": NEW_TEMPLATE_SKELETON}
    source_id = request.GET.get("from")
    if source_id:
        source = _find(request, source_id)
        initial = {"content": source.content, "name": f"{source.name.removeprefix('ACS-')}-copy"}
    return _editor(request, TemplateForm(initial=initial), None)


@signed_in
@service_errors("templates")
def template_edit(request: HttpRequest, template_id: str) -> HttpResponse:
    template = _find(request, template_id, Scope.RUN)
    service.refuse_public(template)
    if request.method == "POST":
        form = TemplateForm(request.POST, new_version=True)
        if form.is_valid():
            try:
                service.update_template(
                    template,
                    actor=request.user,
                    content=form.cleaned_data["content"],
                    tags=form.cleaned_data["tags"],
                    version_description=form.cleaned_data["version_description"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                return redirect("console:template-detail", template_id=template.pk)
        return _editor(request, form, template, status=400)
    tags = tags_of(service.TAG_RESOURCE, [template.pk]).get(template.pk, {})
    form = TemplateForm(initial={"content": template.content, "tags": format_tags(tags)}, new_version=True)
    return _editor(request, form, template)


def _tenant_id(request: HttpRequest) -> int | None:
    """The tenant the editor checks ``{{ oos:Name }}`` references against: the one selected."""
    tenant = selection.current(request).tenant
    return tenant.pk if tenant is not None else None


@signed_in
@require_POST
def template_validate(request: HttpRequest) -> HttpResponse:
    """The editor's live check: ValidateTemplateContent's report, each problem with its line, as a fragment."""
    report = analysis.editor_report(request.POST.get("content", ""), _tenant_id(request))
    return render(request, "console/templates/_problems.html", {"report": report})


@signed_in
@require_POST
@service_errors("templates")
def template_delete(request: HttpRequest, template_id: str) -> HttpResponse:
    template = _find(request, template_id, Scope.RUN)
    service.delete_template(template, actor=request.user)
    return redirect("console:template-list")
