"""Orchestration tasks (UCloudStack's ``OrchTask`` API): saved batch operations on VMs.

An OrchTask names a task type (``StartInOrder``…), the resource type it acts on and
ordered steps, each a delay and a set of resources. Operating it starts an ordinary
:class:`Execution` of a generated template; ``latest_execution`` points at the newest
one, and every status, result and per-resource record shown for the task is read
from that execution and its task executions (one home for run state: the engine).
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinLengthValidator
from django.db import models

from .executions import Execution
from .tenancy import Project, Region, Tenant, TenantScopedQuerySet

MAX_DELAY = 3600


def new_orch_task_id() -> str:
    return "orch-" + secrets.token_hex(6)


class OrchTaskStatus(models.TextChoices):
    """A task's status, derived from its latest execution (see ``services.orchtask_runs.task_status``)."""

    READY = "Ready"  # never run, or reset by Operation=Update
    RUNNING = "Running"
    PAUSING = "Pausing"  # pause asked; the running step finishes first
    PAUSED = "Paused"
    SUCCESS = "Success"
    FAILED = "Failed"
    INTERRUPTED = "Interrupted"  # aborted


class OrchTask(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_orch_task_id, verbose_name="TaskID")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="orch_tasks")
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="orch_tasks")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="orch_tasks")
    name = models.CharField(max_length=128, validators=[MinLengthValidator(1)])
    remark = models.CharField(max_length=100, blank=True)
    task_type = models.CharField(max_length=32, help_text="A type of services.orchtask_types (StartInOrder, …).")
    resource_type = models.CharField(max_length=16, default="VM")
    condition = models.TextField(blank=True, help_text="JSON filter selecting resources when no step lists any.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    latest_execution = models.ForeignKey(
        Execution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_lookup = "tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "orchestration task"
        indexes = [models.Index(fields=["tenant", "-created_at"], name="orchtask_tenant_created_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class OrchTaskStep(models.Model):
    task = models.ForeignKey(OrchTask, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField()
    delay = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(MAX_DELAY)],
                                        help_text="Seconds to wait before the step starts (0–3600).")
    resource_ids = models.JSONField(default=list, help_text="VM morefs (vm-42) of this step.")

    tenant_lookup = "task__tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["task_id", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "order"], name="orchtask_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.task_id} step {self.order}"
