"""vSphere events, read incrementally from each vCenter's event history and kept for a while.

Events are what event triggers react to (a VM powered off, an alarm turned red). One row
per ``(vcenter, key)``: the event key is the vCenter's own increasing number, so the
highest key stored is where the next read starts.
"""
from __future__ import annotations

from django.db import models

from .vcenter import VCenter, VCenterOwnedQuerySet


class VSphereEvent(models.Model):
    vcenter = models.ForeignKey(VCenter, on_delete=models.CASCADE, related_name="events")
    key = models.BigIntegerField(help_text="The vCenter's event key (increasing).")
    event_type = models.CharField(max_length=128, help_text="The event's class, e.g. VmPoweredOffEvent.")
    created_time = models.DateTimeField()
    entity_type = models.CharField(max_length=32, blank=True, help_text="VirtualMachine, HostSystem, …")
    entity_moref = models.CharField(max_length=64, blank=True)
    entity_name = models.CharField(max_length=255, blank=True)
    user = models.CharField(max_length=255, blank=True)
    message = models.TextField(blank=True, help_text="The event's full formatted message.")
    chain_id = models.BigIntegerField(null=True, blank=True)
    alarm_name = models.CharField(max_length=255, blank=True)
    alarm_status = models.CharField(max_length=16, blank=True, help_text="New status of an alarm: green, yellow, red.")
    data = models.JSONField(default=dict, blank=True, help_text="The event's own fields.")

    tenant_lookup = "vcenter__tenants"
    objects = VCenterOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-key"]
        constraints = [models.UniqueConstraint(fields=["vcenter", "key"], name="vsphere_event_key_unique")]
        indexes = [
            models.Index(fields=["vcenter", "-key"], name="vsphere_event_vc_key_idx"),
            models.Index(fields=["vcenter", "event_type", "-key"], name="vsphere_event_vc_type_idx"),
            models.Index(fields=["vcenter", "entity_moref", "-key"], name="vsphere_event_vc_entity_idx"),
            models.Index(fields=["vcenter", "created_time"], name="vsphere_event_vc_time_idx"),  # retention
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.entity_name or self.entity_moref} ({self.key})"
