"""Event pages: the vSphere events of granted vCenters, and the event triggers that react to them.

Rows come through ``selection.scoped`` like every console list. Triggers are created,
paused, resumed and deleted through ``orchestration.services.event_triggers`` (the
same checks as the API and the admin); the form only shapes browser input.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orchestration.console import phrases, selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.pages import render_page
from orchestration.errors import Forbidden, InvalidParameter
from orchestration.models import AlarmStatus, EventTrigger, EventTriggerFiring, Scope
from orchestration.services import event_triggers as service
from templates_app.models import ShareType, Template
from vsphere.models import VCenter, VSphereEvent

PAGE = 50
ENTITY_KINDS = ("", "VirtualMachine", "HostSystem", "Datastore", "Network", "ComputeResource", "Datacenter")


@signed_in
def event_list(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page; "older" pages by event key (no counts, no offsets)."""
    tenant = selection.current(request).tenant
    rows = selection.scoped(request, VSphereEvent, tenant).select_related("vcenter")
    kind = request.GET.get("type", "").strip()[:128]
    entity = request.GET.get("entity", "").strip()[:200]
    vcenter = request.GET.get("vcenter", "")
    before = request.GET.get("before", "")
    if kind:
        rows = rows.filter(event_type=kind)
    if entity:
        rows = rows.filter(Q(entity_moref=entity) | Q(entity_name__icontains=entity))
    if vcenter.isdigit():
        rows = rows.filter(vcenter_id=int(vcenter))
    if before.isdigit():
        rows = rows.filter(key__lt=int(before))
    page = list(rows.order_by("-key")[: PAGE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "events": page[:PAGE],
        "older": page[PAGE - 1].key if len(page) > PAGE else None,
        "type": kind,
        "entity": entity,
        "vcenter_id": vcenter,
        "vcenter_choices": list(selection.scoped(request, VCenter, tenant).order_by("name", "id")),
        "query": query.urlencode(),
    }
    return render_page(request, "console/vsphere/events.html", context, active="vsphere")


class EventTriggerForm(forms.Form):
    template = forms.ModelChoiceField(label=gettext_lazy("Template"), queryset=Template.objects.none())
    name = forms.CharField(label=gettext_lazy("Name"), max_length=128)
    event_types = forms.CharField(
        label=gettext_lazy("Event types"), required=False, max_length=2000,
        help_text=gettext_lazy("Comma-separated, e.g. VmPoweredOffEvent, AlarmStatusChangedEvent; empty: any."))
    entity_kind = forms.ChoiceField(label=gettext_lazy("Entity kind"), required=False,
                                    choices=[(k, k or gettext_lazy("Any")) for k in ENTITY_KINDS])
    name_pattern = forms.CharField(label=gettext_lazy("Entity name pattern"), required=False, max_length=255,
                                   help_text=gettext_lazy("Shell pattern, e.g. web-*"))
    path_pattern = forms.CharField(label=gettext_lazy("Inventory path pattern"), required=False, max_length=1024,
                                   help_text=gettext_lazy("e.g. /DC0/vm/production/*"))
    alarm_name = forms.CharField(label=gettext_lazy("Alarm name pattern"), required=False, max_length=255)
    alarm_status = forms.ChoiceField(label=gettext_lazy("Alarm turns"), required=False, choices=AlarmStatus.choices)
    parameters = forms.CharField(
        label=gettext_lazy("Parameters (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        initial='{"vmId": "{{ event.entity.moref }}"}',
        help_text=gettext_lazy("May use {{ event.entity.moref }}, {{ event.entity.name }}, {{ event.type }}, "
                               "{{ event.user }}, {{ event.alarm.status }}."))
    dedupe_seconds = forms.IntegerField(label=gettext_lazy("Once per entity within (s)"), min_value=0,
                                        max_value=86400, initial=60)
    max_runs_per_minute = forms.IntegerField(label=gettext_lazy("At most runs per minute"), min_value=1,
                                             max_value=1000, initial=10)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates

    def clean_event_types(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["event_types"].split(",") if part.strip()]

    def clean_parameters(self) -> dict:
        text = self.cleaned_data["parameters"].strip()
        try:
            value = json.loads(text) if text else {}
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write a JSON object of parameter names and values."))
        return value


def _templates(request: HttpRequest, tenant) -> object:
    return selection.scoped(request, Template, tenant, Scope.RUN, also=Q(share_type=ShareType.PUBLIC)).order_by(
        "name")


@signed_in
@service_errors("vsphere")
def trigger_list(request: HttpRequest) -> HttpResponse:
    """The tenant's event triggers and a form to add one (``?template=`` preselects the template)."""
    tenant = selection.current(request).tenant
    can_write = selection.can(request, tenant, Scope.RUN)
    form = EventTriggerForm(request.POST or None, templates=_templates(request, tenant),
                            initial={"template": request.GET.get("template")})
    if request.method == "POST":
        if not can_write:
            raise Forbidden(_("Your role in this tenant cannot create event triggers."))
        if form.is_valid():
            trigger = EventTrigger(tenant=tenant, owner=request.user, **form.cleaned_data)
            try:
                service.save_trigger(trigger)
            except InvalidParameter as exc:
                field = exc.place.partition(".")[0]
                form.add_error(field if field in form.fields else None, phrases.translate(exc.reason))
            else:
                messages.success(request, _("Event trigger %(name)s created.") % {"name": trigger.name})
                return redirect("console:event-triggers")
    triggers = selection.scoped(request, EventTrigger, tenant).select_related("template", "owner").order_by("name")
    context = {"triggers": triggers, "form": form, "can_write": can_write}
    return render_page(request, "console/vsphere/event_triggers.html", context, active="vsphere")


@signed_in
@service_errors("vsphere")
def trigger_detail(request: HttpRequest, event_trigger_id: int) -> HttpResponse:
    tenant = selection.current(request).tenant
    trigger = get_object_or_404(selection.scoped(request, EventTrigger, tenant).select_related("template"),
                                pk=event_trigger_id)
    firings = EventTriggerFiring.objects.filter(trigger=trigger).select_related("execution").order_by("-id")[:PAGE]
    context = {"trigger": trigger, "firings": firings, "can_write": selection.can(request, tenant, Scope.RUN),
               "confirm_delete": request.GET.get("confirm") == "delete"}
    return render_page(request, "console/vsphere/event_trigger_detail.html", context, active="vsphere")


@signed_in
@require_POST
@service_errors("vsphere")
def trigger_act(request: HttpRequest, event_trigger_id: int) -> HttpResponse:
    """Pause, resume or (confirmed on the detail page) delete a trigger."""
    tenant = selection.current(request).tenant
    trigger = get_object_or_404(selection.scoped(request, EventTrigger, tenant, Scope.RUN), pk=event_trigger_id)
    action = request.POST.get("action")
    if action in ("pause", "resume"):
        trigger.enabled = action == "resume"
        service.save_trigger(trigger)
        messages.success(request, _("Event trigger %(name)s paused.") % {"name": trigger.name} if action == "pause"
                         else _("Event trigger %(name)s resumed.") % {"name": trigger.name})
        return redirect("console:event-trigger-detail", event_trigger_id=trigger.pk)
    if action == "delete":
        name = trigger.name
        trigger.delete()
        messages.success(request, _("Event trigger %(name)s deleted.") % {"name": name})
        return redirect("console:event-triggers")
    raise InvalidParameter("action", _("must be pause, resume or delete"))
