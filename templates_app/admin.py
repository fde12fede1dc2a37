from django.contrib import admin
from django.utils.html import format_html

from orchestration.admin_scoping import TenantScopedAdmin
from templates_app.models import Template, TemplateVersion


class TemplateVersionInline(admin.StackedInline):
    """Every version's content, read-only: versions are immutable."""

    model = TemplateVersion
    extra = 0
    can_delete = False
    fields = ["number", "created_by", "created_at", "hash", "version_description", "content_view"]
    readonly_fields = fields
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Content")
    def content_view(self, version) -> str:
        return format_html('<pre style="max-height:24em;overflow:auto;white-space:pre">{}</pre>', version.content)


@admin.register(Template)
class TemplateAdmin(TenantScopedAdmin):
    """Templates are written through the API and console (which validate them); here they are read."""

    list_display = ["name", "id", "tenant", "share_type", "version", "format", "total_execution_count", "updated_at"]
    list_filter = ["share_type", "format", "has_trigger", "tenant", "created_at"]
    search_fields = ["name", "id", "description", "created_by"]
    list_select_related = ["tenant"]
    readonly_fields = [
        "id", "tenant", "name", "description", "format", "hash", "version", "share_type", "template_type",
        "created_by", "created_at", "updated_by", "updated_at", "total_execution_count", "popularity", "has_trigger",
    ]
    exclude = ["content"]
    inlines = [TemplateVersionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")  # shown per version, below; never listed

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_public)
