"""Admin: vCenters for platform staff (settings, grants, test connection, sync now); inventory and tasks read-only."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import get_language

from orchestration.admin_audit import AuditedAdmin
from orchestration.admin_base import moment
from orchestration.admin_scoping import ReadOnlyAdmin
from orchestration.errors import InvalidParameter
from orchestration.models import is_platform_staff
from orchestration.templatetags.console import epoch
from vsphere.models import EntityType, InventoryObject, SyncStatus, VCenter, VSphereEvent, VSphereTask
from vsphere.services.sync import sync_vcenter
from vsphere.services.vcenters import check_connection, check_endpoint_change


class VCenterForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False), required=False,
        help_text="Leave empty to keep the stored password; required again when host, port, protocol or user "
                  "change (the password is only sent to the endpoint it was entered for).",
    )

    class Meta:
        model = VCenter
        fields = ["name", "host", "port", "protocol", "user", "password", "verify_tls", "region", "tenants",
                  "sync_enabled", "sync_interval", "inventory_interval", "task_retention_days",
                  "event_retention_days"]

    def clean_password(self) -> str:
        """The password typed, or the stored one when left empty (the admin assigns it to the row)."""
        typed = self.cleaned_data.get("password") or ""
        self.password_entered = bool(typed)
        return typed or self.instance.password

    def clean(self):
        cleaned = super().clean()
        entered = getattr(self, "password_entered", False)
        if self.instance.pk is None and not entered:
            self.add_error("password", "A password is required.")
        try:
            check_endpoint_change(self.instance, cleaned, password_entered=entered)
        except InvalidParameter as exc:
            self.add_error("password", exc.message)
        return cleaned

    def save(self, commit=True):
        if self.password_entered:
            self.instance.set_password(self.cleaned_data["password"])
        return super().save(commit)


@admin.register(VCenter)
class VCenterAdmin(AuditedAdmin):
    """vCenters, their service accounts and their grants to tenants: platform staff only.

    Tenant admins see their granted vCenters in the console and the API, never here
    (this form shows and changes how the vCenter is reached).
    """

    form = VCenterForm
    list_display = ["name", "host", "port", "region", "vsphere_uuid", "version", "sync_enabled", "last_sync_at",
                    "status", "last_error"]
    list_filter = ["sync_enabled", "last_sync_status", "region", "tenants"]
    search_fields = ["name", "host", "vsphere_uuid"]
    readonly_fields = ["vsphere_uuid", "version", "api_version", "last_sync_at", "last_sync_status",
                       "last_inventory_sync_at", "last_error", "task_history_supported", "task_history_until",
                       "created_at", "updated_at"]
    filter_horizontal = ["tenants"]
    actions = ["test_connection_action", "sync_now_action"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region")

    def has_module_permission(self, request) -> bool:
        return is_platform_staff(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_platform_staff(request.user)

    def has_add_permission(self, request) -> bool:
        return is_platform_staff(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_platform_staff(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_platform_staff(request.user)

    @admin.display(description="status", ordering="last_sync_status")
    def status(self, obj: VCenter):
        colour = {SyncStatus.OK: "green", SyncStatus.ERROR: "#ba2121"}.get(obj.last_sync_status, "gray")
        return format_html('<b style="color:{}">{}</b>', colour, obj.get_last_sync_status_display())

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


class GrantedVCenterFilter(admin.RelatedFieldListFilter):
    """The vCenter filter offers only the vCenters granted to the viewer (staff: all), not every name."""

    def field_choices(self, field, request, model_admin):
        # Names only: a whole row would decrypt each vCenter's password to show its name.
        return list(VCenter.objects.for_user(request.user).order_by("name").values_list("pk", "name"))


class SyncedRowsAdmin(ReadOnlyAdmin):
    """Rows synced from a vCenter, listed with their vCenter's name, never its password: a
    whole vCenter row beside each listed row would decrypt the password once per row."""

    # Named, so the changelist does not select every relation (a bare select_related()).
    list_select_related = ["vcenter"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("vcenter").defer("vcenter__password")


@admin.register(InventoryObject)
class InventoryObjectAdmin(SyncedRowsAdmin):
    list_display = ["name", "type", "moref", "vcenter", "datacenter", "host", "power_state", "guest_os", "num_cpu",
                    "memory_mb", "ip_address", "synced_at"]
    list_filter = ["type", "power_state", ("vcenter", GrantedVCenterFilter)]
    search_fields = ["name", "moref", "ip_address", "instance_uuid", "path"]


class EntityTypeFilter(admin.SimpleListFilter):
    """The entity types vSphere knows, not the ones present: listing those is a DISTINCT over every task."""

    title = "entity type"
    parameter_name = "entity_type"

    def lookups(self, request, model_admin):
        return EntityType.choices

    def queryset(self, request, queryset):
        return queryset.filter(entity_type=self.value()) if self.value() else queryset


@admin.register(VSphereTask)
class VSphereTaskAdmin(SyncedRowsAdmin):
    list_display = ["key", "task_name", "entity", "target", "status", "progress", "user", "queued", "finished",
                    "message", "vcenter"]
    list_filter = ["status", ("vcenter", GrantedVCenterFilter), EntityTypeFilter]
    # Exactly the columns with a trigram index (migration 0004): one unindexed column and
    # PostgreSQL reads every task for every search.
    search_fields = ["key", "name", "name_en", "target", "entity", "user"]
    show_full_result_count = False  # a million synced tasks: no second COUNT(*) over them

    @admin.display(description="Task", ordering="name_en")
    def task_name(self, task: VSphereTask) -> str:
        return task.name_in(english=not (get_language() or "").startswith("zh"))

    @admin.display(description="Queued", ordering="create_time")
    def queued(self, task: VSphereTask) -> str:
        return moment(epoch(task.create_time))  # vSphere's task times are epoch seconds

    @admin.display(description="Finished", ordering="finish_time")
    def finished(self, task: VSphereTask) -> str:
        return moment(epoch(task.finish_time))


@admin.register(VSphereEvent)
class VSphereEventAdmin(SyncedRowsAdmin):
    list_display = ["key", "event_type", "entity_name", "entity_moref", "user", "created_time", "alarm_name",
                    "alarm_status", "vcenter"]
    list_filter = [("vcenter", GrantedVCenterFilter), "entity_type", "alarm_status"]
    search_fields = ["event_type", "entity_name", "entity_moref", "user", "message"]
    show_full_result_count = False  # events grow without bound
