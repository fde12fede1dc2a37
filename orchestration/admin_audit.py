"""The admin's side of the audit trail: what it records, and where staff read the trail.

:class:`AuditedAdmin` is the base of every admin class that changes domain rows, so
additions, changes, deletions and admin actions land in the same trail as the API
faces' calls (Django's own ``LogEntry`` keeps recording beside it, for the admin's
history pages). :class:`AuditEventAdmin` shows the trail to platform staff, read-only.
"""
from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers

from orchestration.admin_base import BaseAdmin
from orchestration.models import AuditEvent, Face, is_platform_staff
from orchestration.services import audit


class AuditedAdmin(BaseAdmin):
    """Records every add, change, delete and admin action, one event per object."""

    def _audit(self, request, verb: str, obj, ok: bool = True, error_code: str = "") -> None:
        audit.record(
            face=Face.ADMIN, action=f"{obj._meta.model_name}.{verb}", ok=ok, request=request, user=request.user,
            tenant_id=audit.tenant_id_of(obj), object_type=obj._meta.model_name, object_id=str(obj.pk),
            error_code=error_code,
        )

    def log_addition(self, request, obj, message):
        self._audit(request, "add", obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, "change", obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, "delete", obj)
        return super().log_deletions(request, queryset)

    def response_action(self, request, queryset):
        """An admin action (cancel, approve, sync…) on the selected rows; deletion is recorded by ``log_deletions``."""
        name = _chosen_action(request)
        selected = []
        if name and name != "delete_selected":
            chosen = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            across = request.POST.get("select_across") == "1"
            selected = list(queryset if across else queryset.filter(pk__in=chosen))
        try:
            response = super().response_action(request, queryset)
        except Exception as exc:
            for obj in selected:
                self._audit(request, name, obj, ok=False, error_code=getattr(exc, "code", type(exc).__name__))
            raise
        if response is not None:  # None: no valid action was chosen, nothing ran
            for obj in selected:
                self._audit(request, name, obj)
        return response


def _chosen_action(request) -> str:
    """The action whose button was pressed (the changelist has an action form at the top and the bottom)."""
    names = request.POST.getlist("action")
    try:
        return names[int(request.POST.get("index", 0))]
    except (ValueError, IndexError):
        return names[0] if names else ""


class ReadOnlyAdminMixin:
    """Rows people look at but never add, change or delete here (synced, recorded or derived)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, BaseAdmin):
    """The whole trail, for platform staff; nobody adds, changes or deletes events."""

    list_display = ["created_at", "tenant_id", "actor", "access_key_id", "face", "action", "object_type",
                    "object_id", "result", "error_code", "source_address"]
    list_filter = ["face", "result", "object_type"]
    search_fields = ["=actor", "=access_key_id", "action", "=object_id", "=request_id", "=tenant__id"]
    show_full_result_count = False  # no second COUNT(*) over the whole table
    list_select_related = False
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_module_permission(self, request) -> bool:
        return is_platform_staff(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_platform_staff(request.user)
