"""vSphere tasks synced from each vCenter, in the fields of the task-list API ."""
from __future__ import annotations

from django.db import models

from .vcenter import VCenter, VCenterOwnedQuerySet


class TaskState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    ERROR = "error"


UNFINISHED_STATES = (TaskState.QUEUED, TaskState.RUNNING)


class VSphereTask(models.Model):
    """One vSphere task, upserted by ``(vcenter, key)``; only rows whose TaskInfo changed are written."""

    vcenter = models.ForeignKey(VCenter, on_delete=models.CASCADE, related_name="tasks")
    key = models.CharField(max_length=64)
    task_reference = models.CharField(max_length=80)
    name = models.CharField(max_length=255, blank=True, help_text="Localized task name (Chinese when available).")
    name_en = models.CharField(max_length=255, blank=True)
    method_name = models.CharField(max_length=128, blank=True)
    description_id = models.CharField(max_length=255, blank=True)
    entity = models.CharField(max_length=96, blank=True, help_text="Type:moref, e.g. VirtualMachine:vm-119.")
    entity_type = models.CharField(max_length=32, blank=True)
    entity_moref = models.CharField(max_length=64, blank=True)
    target = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=TaskState.choices)
    progress = models.IntegerField(default=0)
    detail = models.TextField(blank=True)
    user = models.CharField(max_length=255, blank=True)
    create_time = models.BigIntegerField(null=True, blank=True, help_text="Epoch seconds (queue time).")
    start_time = models.BigIntegerField(null=True, blank=True)
    finish_time = models.BigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    cancelable = models.BooleanField(default=False)
    cancelled = models.BooleanField(default=False)
    parent_task_key = models.CharField(max_length=64, blank=True)
    root_task_key = models.CharField(max_length=64, blank=True)
    event_chain_id = models.BigIntegerField(null=True, blank=True)
    # Where the entity lives when the task was synced (from the inventory).
    entity_path = models.CharField(max_length=1024, blank=True)
    datacenter = models.CharField(max_length=64, blank=True)
    host = models.CharField(max_length=64, blank=True)
    task = models.JSONField(default=dict, help_text="The raw TaskInfo in the API's field names.")
    fingerprint = models.CharField(max_length=40, blank=True, help_text="Hash of the TaskInfo, to skip unchanged rows.")
    synced_at = models.DateTimeField(auto_now=True)

    tenant_lookup = "vcenter__tenants"
    objects = VCenterOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-create_time", "-id"]
        verbose_name = "vSphere task"
        constraints = [models.UniqueConstraint(fields=["vcenter", "key"], name="vspheretask_unique_key")]
        indexes = [
            models.Index(fields=["vcenter", "-create_time"], name="vspheretask_recent_idx"),
            models.Index(fields=["-create_time", "-id"], name="vspheretask_time_idx"),  # staff: every vCenter
            models.Index(fields=["vcenter", "status"], name="vspheretask_status_idx"),
            models.Index(fields=["vcenter", "entity_moref"], name="vspheretask_entity_idx"),
            models.Index(fields=["vcenter", "datacenter", "-create_time"], name="vspheretask_dc_idx"),
            models.Index(fields=["vcenter", "host", "-create_time"], name="vspheretask_host_idx"),
            models.Index(fields=["entity_path"], name="vspheretask_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name_en or self.method_name} {self.status}"

    def name_in(self, english: bool) -> str:
        """The task's name in English or in the vCenter's language, the other one when it has none."""
        return (self.name_en or self.name) if english else (self.name or self.name_en)
