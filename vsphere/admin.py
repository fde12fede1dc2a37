"""Admin: vCenters (test connection, sync now, status columns); inventory and tasks read-only."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from orchestration.admin_scoping import TenantScopedAdmin
from orchestration.models import Scope, Tenant
from vsphere.models import InventoryObject, SyncStatus, VCenter, VSphereTask
from vsphere.services.sync import sync_vcenter
from vsphere.services.vcenters import check_connection


class VCenterForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False), required=False,
        help_text="Leave empty to keep the stored password.",
    )

    class Meta:
        model = VCenter
        fields = ["name", "host", "port", "protocol", "user", "password", "verify_tls", "region", "tenants",
                  "sync_enabled", "sync_interval", "inventory_interval", "task_retention_days"]

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if not password:
            if self.instance.pk:
                return self.instance.password
            raise forms.ValidationError("A password is required.")
        return password


@admin.register(VCenter)
class VCenterAdmin(TenantScopedAdmin):
    form = VCenterForm
    list_display = ["name", "host", "port", "region", "vsphere_uuid", "version", "sync_enabled", "last_sync_at",
                    "status", "last_error"]
    list_filter = ["sync_enabled", "last_sync_status", "region"]
    search_fields = ["name", "host", "vsphere_uuid"]
    readonly_fields = ["vsphere_uuid", "version", "api_version", "last_sync_at", "last_sync_status",
                       "last_inventory_sync_at", "last_error", "task_history_supported", "task_history_until",
                       "created_at", "updated_at"]
    filter_horizontal = ["tenants"]
    actions = ["test_connection_action", "sync_now_action"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region")

    @admin.display(description="status", ordering="last_sync_status")
    def status(self, obj: VCenter):
        colour = {SyncStatus.OK: "green", SyncStatus.ERROR: "#ba2121"}.get(obj.last_sync_status, "gray")
        return format_html('<b style="color:{}">{}</b>', colour, obj.get_last_sync_status_display())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "tenants":
            kwargs["queryset"] = Tenant.objects.for_user(request.user, Scope.MANAGE)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # A tenant admin cannot remove tenants they do not manage from a shared vCenter.
        if change and not request.user.is_superuser:
            managed = Tenant.objects.for_user(request.user, Scope.MANAGE)
            kept = form.instance.tenants.exclude(pk__in=managed.values("pk"))
            super().save_related(request, form, formsets, change)
            form.instance.tenants.add(*kept)
            return
        super().save_related(request, form, formsets, change)

    @admin.action(description="Test connection")
    def test_connection_action(self, request, queryset):
        for vcenter in queryset:
            check = check_connection(vcenter)
            level = messages.SUCCESS if check.ok else messages.ERROR
            self.message_user(request, f"{vcenter.name}: {check.message} ({check.seconds:.1f} s)", level)

    @admin.action(description="Sync inventory and tasks now")
    def sync_now_action(self, request, queryset):
        for vcenter in queryset:
            summary = sync_vcenter(vcenter)
            if summary["ok"]:
                tasks = summary.get("tasks", {})
                inventory = summary.get("inventory", {})
                self.message_user(request, f"{vcenter.name}: {inventory.get('objects', 0)} inventory objects, "
                                           f"{tasks.get('created', 0)} new and {tasks.get('updated', 0)} "
                                           "changed tasks", messages.SUCCESS)
            else:
                self.message_user(request, f"{vcenter.name}: sync failed: {summary['error']}", messages.ERROR)


class ReadOnlyAdmin(TenantScopedAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InventoryObject)
class InventoryObjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "moref", "vcenter", "datacenter", "host", "power_state", "guest_os", "num_cpu",
                    "memory_mb", "ip_address", "synced_at"]
    list_filter = ["type", "power_state", "vcenter"]
    search_fields = ["name", "moref", "ip_address", "instance_uuid", "path"]
    list_select_related = ["vcenter"]


@admin.register(VSphereTask)
class VSphereTaskAdmin(ReadOnlyAdmin):
    list_display = ["key", "name", "name_en", "entity", "target", "status", "progress", "user", "create_time",
                    "finish_time", "message", "vcenter"]
    list_filter = ["status", "vcenter", "entity_type"]
    search_fields = ["key", "name", "name_en", "target", "entity", "user", "description_id"]
    list_select_related = ["vcenter"]
