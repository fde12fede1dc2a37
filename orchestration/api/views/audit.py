"""``/api/v1/audit-events/``: the audit trail of the caller's tenants, for their admins; read-only."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from orchestration.api import filtersets, pagination, serializers
from orchestration.authorization import administers_any_tenant
from orchestration.models import AuditEvent, Scope


class TenantAdminsOnly(permissions.BasePermission):
    """Only tenant admins (and platform staff) read the trail; operators and viewers get 403."""

    message = "Only tenant administrators may read the audit trail."

    def has_permission(self, request, view) -> bool:
        return administers_any_tenant(request.user)


@extend_schema_view(list=extend_schema(summary="ListAuditEvents"), retrieve=extend_schema(summary="GetAuditEvent"))
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """State-changing calls on every face in the tenants the caller administers, newest first."""

    queryset = AuditEvent.objects.all()
    serializer_class = serializers.AuditEventSerializer
    filterset_class = filtersets.AuditEventFilterSet
    pagination_class = pagination.AuditEventCursorPagination
    permission_classes = [TenantAdminsOnly]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, Scope.MANAGE)
