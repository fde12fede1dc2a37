from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orchestration.api import filtersets, serializers
from orchestration.api.permissions import RolePermission, SuperuserWrites
from orchestration.api.viewsets import AuditedMixin, TenantScopedViewSet
from orchestration.authorization import allows
from orchestration.models import AccessKey, Membership, Project, Region, Scope, Tenant
from orchestration.services import tenancy


class TenantViewSet(TenantScopedViewSet):
    """Tenants the caller belongs to. Superusers create and delete; tenant admins edit theirs."""

    queryset = Tenant.objects.all()
    serializer_class = serializers.TenantSerializer
    filterset_class = filtersets.TenantFilterSet
    permission_classes = [RolePermission, SuperuserWrites]
    tenant_admin_actions = ("update", "partial_update")
    ordering_fields = ["id", "name", "created_at"]

    def perform_update(self, serializer):
        tenancy.update_tenant(serializer.instance, self.request.user, serializer.validated_data)


class ProjectViewSet(TenantScopedViewSet):
    queryset = Project.objects.select_related("tenant")
    serializer_class = serializers.ProjectSerializer
    filterset_class = filtersets.ProjectFilterSet
    ordering_fields = ["id", "name", "created_at"]


class RegionViewSet(AuditedMixin, viewsets.ModelViewSet):
    """Regions are shared by every tenant: all members read them, superusers manage them.

    Regions belong to no tenant, so there is no tenant role to judge (``RolePermission``
    would look for a tenant scope regions do not have): any signed-in user reads, and
    every write is the superusers' alone.
    """

    queryset = Region.objects.all()
    serializer_class = serializers.RegionSerializer
    filterset_class = filtersets.RegionFilterSet
    permission_classes = [permissions.IsAuthenticated, SuperuserWrites]
    ordering_fields = ["id", "alias"]

    def get_queryset(self):
        return super().get_queryset() if self.request.user.is_authenticated else Region.objects.none()


class MembershipViewSet(TenantScopedViewSet):
    queryset = Membership.objects.select_related("tenant", "user")
    serializer_class = serializers.MembershipSerializer
    filterset_class = filtersets.MembershipFilterSet
    ordering_fields = ["id", "role", "created_at"]


class AccessKeyViewSet(TenantScopedViewSet):
    """Access keys for the signed API faces. The secret is returned once, by create.

    Any member may create a key for themselves; tenant admins see and manage every
    key of their tenant, other members only their own.
    """

    queryset = AccessKey.objects.select_related("tenant", "owner")
    serializer_class = serializers.AccessKeySerializer
    filterset_class = filtersets.AccessKeyFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering_fields = ["created_at", "last_used_at"]

    @extend_schema(responses={201: serializers.AccessKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = serializer.validated_data["tenant"]
        if not allows(request.user, tenant, Scope.VIEW):
            raise PermissionDenied("You are not a member of this tenant.")
        issued = tenancy.issue_access_key(
            tenant, request.user, serializer.validated_data.get("description", "")
        )
        data = serializers.AccessKeyCreatedSerializer(issued.key, context=self.get_serializer_context()).data
        data["secret"] = issued.secret
        return Response(data, status=status.HTTP_201_CREATED)
