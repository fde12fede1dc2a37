"""Parameter store pages: the list (parameters or secret parameters), create, edit, delete.

Every write goes through :mod:`orchestration.services.parameters` (the functions the API
faces call); rows are picked through ``selection.scoped`` (``for_user`` plus the selected
tenant). A secret's value is never rendered: not in the list, not in the edit form.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from orchestration.console import selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.pages import render_page
from orchestration.console.parameter_forms import ParameterCreateForm, ParameterEditForm
from orchestration.errors import Forbidden, NotFound, ServiceError
from orchestration.models import Parameter, Scope
from orchestration.services import parameters as service

ACTIVE = "parameters"
PAGE_SIZE = 25


def _secret(request: HttpRequest) -> bool:
    return request.GET.get("kind") == "secret"


def _list_url(secret: bool) -> str:
    return reverse("console:parameters") + ("?kind=secret" if secret else "")


def _parameter(request: HttpRequest, parameter_id: str, scope: str = Scope.VIEW) -> Parameter:
    found = selection.scoped(request, Parameter, selection.current(request).tenant, scope).filter(
        pk=parameter_id).first()
    if found is None:
        raise NotFound("Parameter", parameter_id)
    return found


@signed_in
def parameter_list(request: HttpRequest) -> HttpResponse:
    secret = _secret(request)
    tenant = selection.current(request).tenant
    rows = selection.scoped(request, Parameter, tenant).filter(secret=secret).order_by("name")
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(name__icontains=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": page, "secret": secret, "q": q,
               "query": f"kind={'secret' if secret else 'plain'}&q={q}",
               "can_write": selection.can(request, tenant, Scope.RUN)}
    return render_page(request, "console/parameters/list.html", context, active=ACTIVE)


@signed_in
@service_errors(ACTIVE)
def parameter_create(request: HttpRequest) -> HttpResponse:
    secret = _secret(request)
    tenant = selection.current(request).tenant
    if not selection.can(request, tenant, Scope.RUN):
        raise Forbidden(_("Your role in this tenant does not allow writing parameters."))
    form = ParameterCreateForm(request.POST or None, secret=secret)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parameter = service.create(tenant=tenant, actor=request.user, secret=secret, name=data["name"],
                                       value=data["value"], type=data.get("type"),
                                       description=data["description"], constraints=data["constraints"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Parameter %(name)s created.") % {"name": parameter.name})
            return redirect(_list_url(secret))
    status = 400 if request.method == "POST" else 200
    return render_page(request, "console/parameters/edit.html", {"form": form, "secret": secret, "parameter": None},
                       active=ACTIVE, status=status)


@signed_in
@service_errors(ACTIVE)
def parameter_edit(request: HttpRequest, parameter_id: str) -> HttpResponse:
    parameter = _parameter(request, parameter_id, Scope.RUN)
    initial = {"description": parameter.description}
    form = ParameterEditForm(request.POST or None, initial=initial, secret=parameter.secret)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.update(parameter, actor=request.user, value=data["value"] or None,
                           description=data["description"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Parameter %(name)s saved.") % {"name": parameter.name})
            return redirect(_list_url(parameter.secret))
    current = None if parameter.secret else service.plain_value(parameter)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "secret": parameter.secret, "parameter": parameter, "current": current}
    return render_page(request, "console/parameters/edit.html", context, active=ACTIVE, status=status)


@signed_in
@service_errors(ACTIVE)
def parameter_delete(request: HttpRequest, parameter_id: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    parameter = _parameter(request, parameter_id, Scope.RUN)
    if request.method == "POST":
        service.delete(parameter, actor=request.user)
        messages.success(request, _("Parameter %(name)s deleted.") % {"name": parameter.name})
        return redirect(_list_url(parameter.secret))
    return render_page(request, "console/parameters/delete.html", {"parameter": parameter}, active=ACTIVE)
