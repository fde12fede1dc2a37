from django.contrib import admin, messages
from django.utils.html import format_html

from orchestration.admin_scoping import TenantScopedAdmin
from orchestration.models import AccessKey, Membership, Project, Region, Tenant


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = ["id", "name", "created_at"]
    readonly_fields = ["id", "created_at"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    list_display = ["id", "name", "email", "enabled", "created_at"]
    list_filter = ["enabled", "created_at"]
    search_fields = ["name", "email", "id"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [ProjectInline, MembershipInline]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Project)
class ProjectAdmin(TenantScopedAdmin):
    list_display = ["id", "name", "tenant", "created_at"]
    list_filter = ["tenant", "created_at"]
    search_fields = ["id", "name", "tenant__name"]
    list_select_related = ["tenant"]

    def get_readonly_fields(self, request, obj=None):
        return ["id", "created_at"] if obj else ["created_at"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions are global: superusers manage them, tenant admins may look."""

    list_display = ["id", "alias", "created_at"]
    search_fields = ["id", "alias"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "user__email", "tenant__name"]
    list_select_related = ["user", "tenant"]


@admin.register(AccessKey)
class AccessKeyAdmin(TenantScopedAdmin):
    list_display = ["id", "owner", "tenant", "enabled", "created_at", "last_used_at"]
    list_filter = ["enabled", "tenant", "created_at"]
    search_fields = ["id", "owner__username", "tenant__name", "description"]
    list_select_related = ["owner", "tenant"]
    readonly_fields = ["id", "created_at", "last_used_at", "secret_notice"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["tenant", "owner", "description", "enabled"]
        return ["id", "tenant", "owner", "description", "enabled", "created_at", "last_used_at", "secret_notice"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "tenant", "owner"] if obj else []

    @admin.display(description="Secret")
    def secret_notice(self, obj) -> str:
        return format_html("<em>{}</em>", "Shown once, when the key was created; create a new key if it is lost.")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                format_html(
                    "Access key <code>{}</code> created. Its secret is <code>{}</code> — "
                    "copy it now: it will not be shown again.",
                    obj.id,
                    obj.secret,
                ),
            )
