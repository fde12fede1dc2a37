"""Native API serializers of vCenters, inventory and synced tasks. Passwords are write-only."""
from __future__ import annotations

from rest_framework import serializers

from orchestration.models import Tenant
from vsphere.models import InventoryObject, VCenter, VSphereEvent, VSphereTask


class VCenterSerializer(serializers.ModelSerializer):
    """A vCenter as platform staff manage it: connection settings, password (write only) and grants."""

    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"},
                                     help_text="Write only; never returned. Required on create, and again "
                                               "whenever host, port, protocol or user change.")
    tenants = serializers.PrimaryKeyRelatedField(many=True, queryset=Tenant.objects.all(), required=False,
                                                 help_text="CompanyIDs this vCenter is granted to.")

    class Meta:
        model = VCenter
        fields = ["id", "name", "vsphere_uuid", "host", "port", "protocol", "user", "password", "verify_tls", "region",
                  "tenants", "sync_enabled", "sync_interval", "inventory_interval", "task_retention_days", "version",
                  "api_version", "last_sync_at", "last_sync_status", "last_error", "last_inventory_sync_at",
                  "task_history_supported", "created_at", "updated_at"]
        read_only_fields = ["vsphere_uuid", "version", "api_version", "last_sync_at", "last_sync_status", "last_error",
                            "last_inventory_sync_at", "task_history_supported", "created_at", "updated_at"]


class GrantedVCenterSerializer(serializers.ModelSerializer):
    """A vCenter as a tenant sees it: what it is and how syncing goes, never how it is reached."""

    class Meta:
        model = VCenter
        fields = ["id", "name", "vsphere_uuid", "region", "sync_enabled", "sync_interval", "inventory_interval",
                  "version", "api_version", "last_sync_at", "last_sync_status", "last_error",
                  "last_inventory_sync_at"]
        read_only_fields = fields


class ConnectionCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    version = serializers.CharField()
    api_version = serializers.CharField()
    vsphere_uuid = serializers.CharField()
    seconds = serializers.FloatField()


class InventoryObjectSerializer(serializers.ModelSerializer):
    vsphere_uuid = serializers.CharField(source="vcenter.vsphere_uuid", read_only=True, allow_null=True,
                                         help_text="Null until the vCenter has been connected to once.")

    class Meta:
        model = InventoryObject
        fields = ["id", "vcenter", "vsphere_uuid", "moref", "type", "name", "parent", "path", "name_path",
                  "datacenter", "host", "cluster", "power_state", "guest_os", "num_cpu", "memory_mb", "ip_address",
                  "instance_uuid", "is_template", "custom_attributes", "tags", "synced_at"]


class VSphereEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = VSphereEvent
        fields = ["id", "vcenter", "key", "event_type", "created_time", "entity_type", "entity_moref", "entity_name",
                  "user", "message", "chain_id", "alarm_name", "alarm_status", "data"]
        read_only_fields = fields


class VSphereTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = VSphereTask
        fields = ["id", "vcenter", "key", "task_reference", "name", "name_en", "description_id", "entity", "target",
                  "status", "progress", "detail", "user", "create_time", "start_time", "finish_time", "message",
                  "cancelable", "cancelled", "parent_task_key", "root_task_key", "event_chain_id", "datacenter",
                  "host", "task"]
