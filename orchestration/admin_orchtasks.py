"""Admin for orchestration tasks: steps inline (checked by the same rules as every face),
the operations as admin actions, and each resource's result in the latest execution."""
from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from orchestration.admin_base import row_table
from orchestration.admin_scoping import TenantScopedAdmin
from orchestration.errors import ServiceError
from orchestration.models import OrchTask, OrchTaskStep
from orchestration.services import orchtask_runs, orchtask_specs
from orchestration.services import orchtasks as service
from orchestration.services.orchtask_types import TASK_TYPES


class StepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        steps = [
            {"order": form.cleaned_data["order"], "delay": form.cleaned_data.get("delay") or 0,
             "resourceIDs": ",".join(form.cleaned_data.get("resource_ids") or [])}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        task = self.instance
        try:
            specs = orchtask_specs.parse_steps([json.dumps(s) for s in steps])
            if not specs and not orchtask_specs.parse_condition(task.condition):
                raise ValidationError("Give at least one step, or a Condition that selects the resources.")
            if task.region_id and task.tenant_id:
                orchtask_specs.check_resources(task.tenant, task.region, task.resource_type, specs)
        except ServiceError as exc:
            raise ValidationError(exc.message) from None


class OrchTaskStepInline(admin.TabularInline):
    model = OrchTaskStep
    formset = StepFormSet
    extra = 0
    fields = ["order", "delay", "resource_ids"]


class OrchTaskForm(forms.ModelForm):
    task_type = forms.ChoiceField(choices=[(t, t) for t in TASK_TYPES])

    class Meta:
        model = OrchTask
        fields = ["tenant", "project", "region", "name", "remark", "task_type", "resource_type", "condition"]

    def clean_condition(self):
        try:
            orchtask_specs.parse_condition(self.cleaned_data.get("condition"))
        except ServiceError as exc:
            raise ValidationError(exc.message) from None
        return self.cleaned_data.get("condition") or ""


@admin.register(OrchTask)
class OrchTaskAdmin(TenantScopedAdmin):
    form = OrchTaskForm
    list_display = ["id", "name", "task_type", "status_view", "region", "tenant", "created_at", "updated_at"]
    list_filter = ["task_type", "region", "tenant"]
    search_fields = ["id", "name", "remark"]
    list_select_related = ["tenant", "region", "latest_execution"]
    inlines = [OrchTaskStepInline]
    actions = ["op_execute", "op_pause", "op_resume", "op_abort", "op_retry", "op_update"]
    readonly_fields = ["status_view", "execution_link", "results_view"]
    fieldsets = [
        (None, {"fields": ["tenant", "project", "region", "name", "remark", "task_type", "resource_type",
                           "condition"]}),
        ("Latest run", {"fields": ["status_view", "execution_link", "results_view"]}),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and orchtask_runs.task_status(obj) in ("Running", "Pausing", "Paused"):
            return False  # abort it first (the services refuse too)
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="Status")
    def status_view(self, task) -> str:
        return orchtask_runs.task_status(task)

    @admin.display(description="Latest execution")
    def execution_link(self, task) -> str:
        if task.latest_execution_id is None:
            return "—"
        record = orchtask_runs.execution_record(task)
        url = reverse("admin:orchestration_execution_change", args=[task.latest_execution_id])
        return format_html('<a href="{}">{}</a> {} {}', url, task.latest_execution_id, record.result, record.message)

    @admin.display(description="Per-resource results")
    def results_view(self, task) -> str:
        if task.pk is None:
            return "—"
        rows = [(view.order, r.resource_id, r.name, r.status, r.execution.result or "—", r.execution.message,
                 r.execution.starts_at or "", r.execution.ends_at or "")
                for view in orchtask_runs.step_views(task) for r in view.resources]
        return row_table(["Step", "Resource", "Name", "Power", "Result", "Message", "Starts", "Ends"], rows)

    def _operate(self, request, queryset, operation: str) -> None:
        done = 0
        for task in queryset:
            try:
                service.operate_orch_task(task, request.user, operation)
                done += 1
            except ServiceError as exc:
                messages.error(request, f"{task.pk}: {exc.message}")
        if done:
            messages.success(request, f"{operation}: {done} task(s).")

    @admin.action(description="Execute selected tasks")
    def op_execute(self, request, queryset):
        self._operate(request, queryset, "Execute")

    @admin.action(description="Pause selected tasks (after the running step)")
    def op_pause(self, request, queryset):
        self._operate(request, queryset, "Pause")

    @admin.action(description="Resume selected tasks")
    def op_resume(self, request, queryset):
        self._operate(request, queryset, "Resume")

    @admin.action(description="Abort selected tasks")
    def op_abort(self, request, queryset):
        self._operate(request, queryset, "Abort")

    @admin.action(description="Retry the failed resources of selected tasks")
    def op_retry(self, request, queryset):
        self._operate(request, queryset, "Retry")

    @admin.action(description="Reset selected tasks to Ready (Update)")
    def op_update(self, request, queryset):
        self._operate(request, queryset, "Update")
