"""Tenant scoping for Django admin classes.

Staff users who are tenant admins manage their tenants' rows through the same
``for_user`` querysets the API uses; superusers see everything. Model permissions
are replaced by membership roles so a tenant admin needs no per-model grants.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model

from orchestration.admin_audit import AuditedAdmin, ReadOnlyAdminMixin
from orchestration.authorization import administers_any_tenant
from orchestration.models import Scope, Tenant
from templates_app.models import Template


class TenantScopedAdmin(AuditedAdmin):
    """Base for admin classes of tenant-owned models (every change is written to the audit trail)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, Scope.VIEW)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or administers_any_tenant(request.user))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser or administers_any_tenant(request.user)

    def _manages(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return administers_any_tenant(request.user)
        return type(obj).objects.for_user(request.user, Scope.MANAGE).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._manages(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only tenants the user manages, so nothing can be moved into a foreign tenant.
        if db_field.related_model is Tenant:
            kwargs["queryset"] = Tenant.objects.for_user(request.user, Scope.MANAGE)
        elif db_field.related_model is get_user_model() and not request.user.is_superuser:
            # Never list other tenants' users: only people who share a managed tenant.
            managed = Tenant.objects.for_user(request.user, Scope.MANAGE)
            kwargs["queryset"] = get_user_model().objects.filter(memberships__tenant__in=managed).distinct()
        elif db_field.related_model is Template and not request.user.is_superuser:
            # What runs a template (timer and event triggers) may name only templates the user may run.
            kwargs["queryset"] = Template.objects.for_user(request.user, Scope.RUN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(ReadOnlyAdminMixin, TenantScopedAdmin):
    """A tenant-scoped changelist of rows nobody edits here (synced inventory, tasks, events, firings)."""
