"""Role permissions for the native API.

Viewers read, operators run, admins manage. Which rows a caller reaches is decided by
the queryset (``for_user``); this class decides what the caller may do with them.
"""
from __future__ import annotations

from rest_framework import permissions

from orchestration.models import Scope


def required_scope(view) -> str:
    """The scope a request needs: reading is VIEW, actions listed in ``run_actions`` RUN, the rest MANAGE."""
    if view.request.method in permissions.SAFE_METHODS:
        return Scope.VIEW
    if getattr(view, "action", None) in getattr(view, "run_actions", ()):
        return Scope.RUN
    return Scope.MANAGE


class RolePermission(permissions.BasePermission):
    message = "Your role in this tenant does not allow this operation."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        scope = required_scope(view)
        if scope == Scope.VIEW:
            return True
        return type(obj).objects.for_user(request.user, scope).filter(pk=obj.pk).exists()


class SuperuserWrites(permissions.BasePermission):
    """Global objects (regions, tenants themselves) are created and deleted by superusers only."""

    message = "Only a superuser may change this."

    def has_permission(self, request, view) -> bool:
        # Object actions are judged per object below, after the scoped lookup (so a
        # foreign object stays a 404); only creation has no object to look up.
        if view.action == "create":
            return bool(request.user and request.user.is_superuser)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action in getattr(view, "tenant_admin_actions", ()):
            return True
        return bool(request.user and request.user.is_superuser)
