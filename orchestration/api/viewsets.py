"""The base viewset every native API endpoint builds on.

It applies ``Model.objects.for_user(user, VIEW)`` once, so every list and detail view is
tenant-scoped: another tenant's object is simply not found (404). Writes additionally
need the role the action requires (see :mod:`orchestration.api.permissions`).
"""
from __future__ import annotations

from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from orchestration.api.permissions import required_scope
from orchestration.authorization import allows
from orchestration.models import Scope, Tenant


class TenantScopedViewSet(viewsets.ModelViewSet):
    """Three-line viewsets: set ``queryset``, ``serializer_class`` and ``filterset_class``."""

    run_actions: tuple[str, ...] = ()

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, Scope.VIEW)

    def check_tenant_scope(self, tenant: Tenant) -> None:
        """Creating or moving an object into ``tenant`` needs the action's role there."""
        if not allows(self.request.user, tenant, required_scope(self)):
            raise PermissionDenied(f"Your role in tenant {tenant.pk} does not allow this operation.")

    def request_tenant(self, tenant: Tenant | None) -> Tenant:
        """The tenant a new object goes to: the one given, or the caller's only tenant.

        "Only" counts the tenants where the caller's role allows the action; a caller with
        no such tenant but a single one to look at gets that one, and so a clear 403.
        """
        if tenant is None:
            user = self.request.user
            candidates = list(Tenant.objects.for_user(user, required_scope(self))[:2]) or list(
                Tenant.objects.for_user(user, Scope.VIEW)[:2]
            )
            if len(candidates) != 1:
                raise ValidationError({"tenant": ["This field is required (you belong to several tenants)."]})
            tenant = candidates[0]
        self.check_tenant_scope(tenant)
        return tenant

    def perform_create(self, serializer):
        tenant = serializer.validated_data.get("tenant")
        if tenant is not None:
            self.check_tenant_scope(tenant)
        serializer.save()

    def perform_update(self, serializer):
        tenant = serializer.validated_data.get("tenant")
        if tenant is not None:
            self.check_tenant_scope(tenant)
        serializer.save()
