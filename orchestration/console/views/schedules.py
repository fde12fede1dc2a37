"""A template's schedules (timer triggers): listed on the template page, created, paused,
resumed and deleted from there.

Writes go through ``orchestration.services.triggers`` (``save_trigger``,
``delete_trigger``), as the native API's do; the schedule's owner, whose role each
firing needs, is whoever last created or changed it. Triggers are picked in the
selected tenant only, so another tenant's trigger is a 404 like its template.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orchestration.console import selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.pages import render_page
from orchestration.console.schedule_form import ScheduleForm
from orchestration.errors import Forbidden, InvalidParameter, NotFound, ServiceError
from orchestration.models import Scope, TimerTrigger
from orchestration.services import triggers as service
from templates_app.models import Template
from templates_app.services import analysis
from templates_app.services.templates import find_template


def schedules_of(request: HttpRequest, template: Template, scope: str = Scope.VIEW) -> QuerySet[TimerTrigger]:
    """The template's triggers in the selected tenant."""
    tenant = selection.current(request).tenant
    return selection.scoped(request, TimerTrigger, tenant, scope).filter(template=template)


def schedule_rows(request: HttpRequest, template: Template) -> list[dict[str, Any]]:
    """The template page's Schedules section: each trigger with its next fire times."""
    triggers = schedules_of(request, template).select_related("owner", "last_execution").order_by("name", "pk")
    return [{"trigger": t, "upcoming": service.upcoming(t)} for t in triggers[:50]]


def _template(request: HttpRequest, template_id: str) -> Template:
    return find_template(request.user, template_id, tenant=selection.current(request).tenant, scope=Scope.VIEW)


def _back(template: Template) -> str:
    return reverse("console:template-detail", args=[template.pk]) + "#schedules"


@signed_in
@service_errors("templates")
def schedule_create(request: HttpRequest, template_id: str) -> HttpResponse:
    chosen = selection.current(request)
    template = _template(request, template_id)
    if not selection.can(request, chosen.tenant, Scope.RUN):
        raise Forbidden(_("Your role in this tenant does not allow scheduling templates."))
    parsed = analysis.parsed_version(template)
    form = ScheduleForm(request.POST or None, parameters=parsed.parameters)
    if request.method == "POST" and form.is_valid():
        cron, run_at = form.schedule()
        trigger = TimerTrigger(
            tenant=chosen.tenant, template=template, name=form.cleaned_data["name"], cron=cron, run_at=run_at,
            parameters=form.parameters(), mode=form.cleaned_data["mode"], loop_mode=form.cleaned_data["loop_mode"],
            safety_check=form.cleaned_data["safety_check"], owner=request.user,
        )
        try:
            service.save_trigger(trigger)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Schedule “%(name)s” created.") % {"name": trigger.name})
            return redirect(_back(template))
    status = 400 if request.method == "POST" else 200
    context = {"template": template, "form": form}
    return render_page(request, "console/templates/schedule_new.html", context, active="templates", status=status)


@signed_in
@require_POST
@service_errors("templates")
def schedule_act(request: HttpRequest, template_id: str, trigger_id: int) -> HttpResponse:
    """Pause, resume or delete one schedule."""
    template = _template(request, template_id)
    trigger = schedules_of(request, template, Scope.RUN).filter(pk=trigger_id).first()
    if trigger is None:
        raise NotFound("TimerTrigger", trigger_id)
    action = request.POST.get("action", "")
    if action in ("pause", "resume"):
        trigger.enabled = action == "resume"
        trigger.owner = request.user
        service.save_trigger(trigger)
    elif action == "delete":
        service.delete_trigger(trigger)
        messages.success(request, _("Schedule “%(name)s” deleted.") % {"name": trigger.name})
    else:
        raise InvalidParameter("action", "must be pause, resume or delete")
    return redirect(_back(template))
