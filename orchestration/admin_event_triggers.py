"""Admin for event triggers (checked by the same service as the API) and, read only, what they did."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from orchestration.admin_scoping import ReadOnlyAdmin, TenantScopedAdmin
from orchestration.errors import InvalidParameter
from orchestration.models import EventTrigger, EventTriggerFiring
from orchestration.services import event_triggers as service


class EventTriggerForm(forms.ModelForm):
    """Runs the service's checks in ``clean`` so its errors land on the form's fields."""

    class Meta:
        model = EventTrigger
        fields = ["tenant", "template", "template_version", "name", "event_types", "entity_kind", "name_pattern",
                  "path_pattern", "alarm_name", "alarm_status", "parameters", "mode", "loop_mode", "safety_check",
                  "dedupe_seconds", "max_runs_per_minute", "enabled"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        draft = EventTrigger(**{name: data.get(name) for name in self.Meta.fields if name in data})
        if draft.tenant_id is None and self.instance.tenant_id:
            draft.tenant_id = self.instance.tenant_id
        try:
            service.check_trigger(draft)
        except InvalidParameter as exc:
            field = exc.place.partition(".")[0]
            self.add_error(field if field in self.fields else None, exc.message)
        return data


@admin.register(EventTrigger)
class EventTriggerAdmin(TenantScopedAdmin):
    form = EventTriggerForm
    list_display = ["name", "tenant", "template", "event_types", "entity_kind", "name_pattern", "enabled", "owner",
                    "last_fired_at"]
    list_filter = ["enabled", "entity_kind", "tenant"]
    search_fields = ["name", "template__name", "owner__username"]
    list_select_related = ["tenant", "template", "owner"]
    readonly_fields = ["owner", "last_fired_at", "last_error", "created_at", "history"]

    @admin.display(description="What it did")
    def history(self, obj: EventTrigger) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:orchestration_eventtriggerfiring_changelist") + f"?trigger__id__exact={obj.pk}"
        return format_html('<a href="{}">Matching events: runs started and skipped</a>', url)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "tenant"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        obj.owner = request.user  # runs go as whoever last set the trigger up
        service.save_trigger(obj)


@admin.register(EventTriggerFiring)
class EventTriggerFiringAdmin(ReadOnlyAdmin):
    """Read only: each matching event and what its trigger did with it."""

    list_display = ["created_at", "trigger", "event_type", "entity_name", "entity_moref", "fired", "reason",
                    "execution"]
    list_filter = ["fired", "trigger"]
    search_fields = ["entity_name", "entity_moref", "event_type"]
    list_select_related = ["trigger", "execution"]
    show_full_result_count = False
