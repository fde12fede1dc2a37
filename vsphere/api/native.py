"""Native REST viewsets (``/api/v1/vcenters/``, ``/api/v1/vsphere-inventory/``, ``/api/v1/vsphere-tasks/``)."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orchestration.api.viewsets import TenantScopedViewSet
from orchestration.models import Scope, Tenant
from vsphere.models import InventoryObject, VCenter, VSphereTask
from vsphere.services.sync import sync_vcenter
from vsphere.services.vcenters import check_connection

from .serializers import ConnectionCheckSerializer, InventoryObjectSerializer, VCenterSerializer, VSphereTaskSerializer


class VCenterFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = VCenter
        fields = ["name", "vsphere_uuid", "region", "sync_enabled", "last_sync_status"]


class VCenterViewSet(TenantScopedViewSet):
    """vCenters allowed to the caller's tenants. Tenant admins manage those of their tenants."""

    queryset = VCenter.objects.select_related("region").prefetch_related("tenants")
    serializer_class = VCenterSerializer
    filterset_class = VCenterFilter
    run_actions = ("test_connection", "sync")

    def _check_tenants(self, tenants) -> None:
        managed = set(Tenant.objects.for_user(self.request.user, Scope.MANAGE).values_list("pk", flat=True))
        if any(tenant.pk not in managed for tenant in tenants):
            raise PermissionDenied("You can only allow tenants you administer.")

    def perform_create(self, serializer):
        self._check_tenants(serializer.validated_data.get("tenants", []))
        serializer.save()

    def perform_update(self, serializer):
        if "tenants" in serializer.validated_data:
            # Tenants the caller does not administer stay as they were.
            managed = Tenant.objects.for_user(self.request.user, Scope.MANAGE)
            kept = list(serializer.instance.tenants.exclude(pk__in=managed.values("pk")))
            serializer.validated_data["tenants"] = [*serializer.validated_data["tenants"], *kept]
        serializer.save()

    @extend_schema(request=None, responses=ConnectionCheckSerializer)
    @action(detail=True, methods=["post"], url_path="test-connection")
    def test_connection(self, request, pk=None):
        """Log in with the stored settings and answer the version, or the precise reason it fails."""
        return Response(check_connection(self.get_object()).as_dict())

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Run an inventory and task sync now (synchronously) and return its summary."""
        return Response(sync_vcenter(self.get_object()))


class InventoryFilter(django_filters.FilterSet):
    vsphere_uuid = django_filters.CharFilter(field_name="vcenter__vsphere_uuid")
    name = django_filters.CharFilter(lookup_expr="icontains")
    under = django_filters.CharFilter(method="filter_under", help_text="Moref: everything under that object.")

    class Meta:
        model = InventoryObject
        fields = ["vcenter", "vsphere_uuid", "type", "name", "datacenter", "host", "cluster", "power_state", "moref"]

    def filter_under(self, queryset, name, value):
        anchors = InventoryObject.objects.filter(pk__in=queryset.values("pk"), moref=value).values_list("path",
                                                                                                        flat=True)
        paths = list(anchors)
        if not paths:
            return queryset.none()
        return queryset.filter(path__startswith=paths[0])


class ReadOnlyScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, Scope.VIEW)


class InventoryObjectViewSet(ReadOnlyScopedViewSet):
    queryset = InventoryObject.objects.select_related("vcenter")
    serializer_class = InventoryObjectSerializer
    filterset_class = InventoryFilter
    ordering_fields = ["name", "type", "path"]


class VSphereTaskFilter(django_filters.FilterSet):
    vsphere_uuid = django_filters.CharFilter(field_name="vcenter__vsphere_uuid")

    class Meta:
        model = VSphereTask
        fields = ["vcenter", "vsphere_uuid", "status", "entity", "entity_moref", "datacenter", "host", "key"]


class VSphereTaskViewSet(ReadOnlyScopedViewSet):
    queryset = VSphereTask.objects.all()
    serializer_class = VSphereTaskSerializer
    filterset_class = VSphereTaskFilter
    ordering_fields = ["create_time", "finish_time"]
