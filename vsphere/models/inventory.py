"""The synced inventory: every managed entity of a vCenter, one row each.

``path`` materialises the chain of ancestor morefs (``/group-d1/datacenter-2/group-v3/vm-57/``,
ending with the object itself), so "everything under X" is one ``path LIKE 'X.path%'``
query on an index; ``datacenter`` and ``host`` answer "in datacenter X" and "VMs on host Y"
directly. Works the same on SQLite and PostgreSQL (no array columns).
"""
from __future__ import annotations

from django.db import models

from .vcenter import VCenter, VCenterOwnedQuerySet


class EntityType(models.TextChoices):
    FOLDER = "Folder"
    DATACENTER = "Datacenter"
    CLUSTER = "ClusterComputeResource"
    COMPUTE_RESOURCE = "ComputeResource"
    HOST = "HostSystem"
    DATASTORE = "Datastore"
    RESOURCE_POOL = "ResourcePool"
    VAPP = "VirtualApp"
    VM = "VirtualMachine"


class InventoryObject(models.Model):
    vcenter = models.ForeignKey(VCenter, on_delete=models.CASCADE, related_name="inventory")
    moref = models.CharField(max_length=64)
    type = models.CharField(max_length=32, choices=EntityType.choices)
    name = models.CharField(max_length=255)
    parent = models.CharField(max_length=64, blank=True, help_text="Parent moref ('' for the root folder).")
    path = models.CharField(max_length=1024, help_text="Ancestor morefs and the object's own, '/'-separated.")
    name_path = models.CharField(max_length=2048, blank=True, help_text="The same chain as names (folder paths).")
    datacenter = models.CharField(max_length=64, blank=True)
    host = models.CharField(max_length=64, blank=True, help_text="The host a VM runs on; a host's own moref.")
    cluster = models.CharField(max_length=64, blank=True)
    # '/datastore-61/datastore-62/': portable "VMs on datastore X" (contains '/X/').
    datastores = models.CharField(max_length=1024, blank=True)

    # Virtual machine details (empty for other types).
    power_state = models.CharField(max_length=16, blank=True)
    guest_os = models.CharField(max_length=255, blank=True)
    num_cpu = models.PositiveIntegerField(null=True, blank=True)
    memory_mb = models.PositiveIntegerField(null=True, blank=True)
    ip_address = models.CharField(max_length=64, blank=True)
    instance_uuid = models.CharField(max_length=64, blank=True, db_index=True)
    is_template = models.BooleanField(default=False)
    custom_attributes = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)

    synced_at = models.DateTimeField(auto_now=True)

    tenant_lookup = "vcenter__tenants"
    objects = VCenterOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["vcenter_id", "path"]
        verbose_name = "inventory object"
        constraints = [models.UniqueConstraint(fields=["vcenter", "moref"], name="inventory_unique_moref")]
        indexes = [
            models.Index(fields=["path"], name="inventory_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["vcenter", "type", "name"], name="inventory_type_name_idx"),
            models.Index(fields=["vcenter", "datacenter", "type"], name="inventory_dc_idx"),
            models.Index(fields=["vcenter", "host"], name="inventory_host_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type}:{self.moref} {self.name}"

    @property
    def reference(self) -> str:
        return f"{self.type}:{self.moref}"
