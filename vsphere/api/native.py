"""Native REST viewsets: ``/api/v1/vcenters/``, ``vsphere-inventory/``, ``vsphere-tasks/``, ``vsphere-events/``."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orchestration.api.pagination import EstimatedPageNumberPagination, KeysetCursorPagination
from orchestration.api.permissions import RolePermission, SuperuserWrites
from orchestration.api.viewsets import TenantScopedViewSet
from orchestration.models import Scope, is_platform_staff
from vsphere.models import InventoryObject, VCenter, VSphereEvent, VSphereTask
from vsphere.services.sync import sync_vcenter
from vsphere.services.vcenters import check_connection, save_vcenter

from .serializers import (
    ConnectionCheckSerializer,
    GrantedVCenterSerializer,
    InventoryObjectSerializer,
    VCenterSerializer,
    VSphereEventSerializer,
    VSphereTaskSerializer,
)


class VCenterFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = VCenter
        fields = ["name", "vsphere_uuid", "region", "sync_enabled", "last_sync_status"]


GRANTED_VIEW = ("Tenant members get these fields; platform staff get the full VCenter (connection settings "
                "and grants too).")


@extend_schema_view(
    list=extend_schema(description=GRANTED_VIEW, responses=GrantedVCenterSerializer(many=True)),
    retrieve=extend_schema(description=GRANTED_VIEW, responses=GrantedVCenterSerializer),
)
class VCenterViewSet(TenantScopedViewSet):
    """vCenters granted to the caller's tenants, read only; platform staff manage them and their grants.

    Tenant members see what a vCenter is and how its sync goes; operators may test its
    connection and sync it now (with the platform's settings). Creating, changing and
    deleting vCenters, and granting them, is for platform staff only.
    """

    queryset = VCenter.objects.select_related("region").prefetch_related("tenants")
    filterset_class = VCenterFilter
    permission_classes = [RolePermission, SuperuserWrites]
    run_actions = ("test_connection", "sync")
    tenant_admin_actions = run_actions  # SuperuserWrites lets these through; RolePermission still wants RUN

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or is_platform_staff(self.request.user):
            return VCenterSerializer
        return GrantedVCenterSerializer

    def perform_create(self, serializer):
        changes = dict(serializer.validated_data)
        tenants = changes.pop("tenants", None)
        serializer.instance = save_vcenter(VCenter(), changes, tenants=tenants)

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        tenants = changes.pop("tenants", None)
        serializer.instance = save_vcenter(serializer.instance, changes, tenants=tenants)

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
    pagination_class = EstimatedPageNumberPagination


class VSphereEventFilter(django_filters.FilterSet):
    vsphere_uuid = django_filters.CharFilter(field_name="vcenter__vsphere_uuid")
    type = django_filters.CharFilter(field_name="event_type")
    entity = django_filters.CharFilter(field_name="entity_moref", help_text="The entity's moref, e.g. vm-42.")
    after = django_filters.IsoDateTimeFilter(field_name="created_time", lookup_expr="gte")
    before = django_filters.IsoDateTimeFilter(field_name="created_time", lookup_expr="lt")

    class Meta:
        model = VSphereEvent
        fields = ["vcenter", "vsphere_uuid", "type", "entity", "entity_type", "alarm_status", "after", "before"]


class NewestEventFirst(KeysetCursorPagination):
    ordering = "-key"


class VSphereEventViewSet(ReadOnlyScopedViewSet):
    """Events of the vCenters granted to the caller's tenants, newest first (keyset pages)."""

    queryset = VSphereEvent.objects.all()
    serializer_class = VSphereEventSerializer
    filterset_class = VSphereEventFilter
    pagination_class = NewestEventFirst
