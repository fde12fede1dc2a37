"""Executions of templates, their task executions and their logs.

Statuses are the OOS ones and are indexed: lists filter on them constantly. A cancel
request is a flag apart from the status (AWX's lesson): the API sets the flag, the
engine — the only writer of ``status`` — honours it on its next step, under the row's
lease. ``wake_at`` is when the engine must look at an execution next (a sleep ending,
a retry, a vSphere task to poll, a lease to recover); the ticker enqueues due ones.
"""
from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tenancy import Project, Tenant, TenantScopedQuerySet


def new_execution_id() -> str:
    return "exec-" + secrets.token_hex(10)


class ExecutionStatus(models.TextChoices):
    STARTED = "Started"  # created, not yet picked up
    QUEUED = "Queued"  # handed to the workers
    RUNNING = "Running"  # some task is running
    WAITING = "Waiting"  # needs a person: approval, debug step, paused on failure
    SUCCESS = "Success"
    FAILED = "Failed"
    CANCELLED = "Cancelled"


FINISHED_STATUSES = (ExecutionStatus.SUCCESS, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)


class TaskStatus(models.TextChoices):
    PENDING = "Pending"  # created; waits for its start time, a manual start or a confirmation
    RUNNING = "Running"
    WAITING = "Waiting"  # waits for a person (approval) or a child execution
    SUCCESS = "Success"
    FAILED = "Failed"
    CANCELLED = "Cancelled"
    SKIPPED = "Skipped"


TASK_FINISHED_STATUSES = (TaskStatus.SUCCESS, TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.SKIPPED)


class WaitingFor(models.TextChoices):
    """Why a Waiting task execution waits for a person (``TaskExecution.extra["waiting_for"]``)."""

    APPROVAL = "approval", _("Approval")  # ACS::Approve
    CONFIRMATION = "confirmation", _("High-risk action")  # a risky action under SafetyCheck Confirm
    MANUAL = "manual", _("Manual start")  # Debug mode: started by hand (ExecuteTask)
    BATCH = "batch", _("Next loop batch")  # a loop paused after its first batch
    SCHEDULE = "schedule", _("Next scheduled run")  # ACS::TimerTrigger between its runs

    @classmethod
    def unattended(cls) -> tuple[str, ...]:
        """Reasons no person acts on (no Approve/Reject): the wait ends by itself."""
        return (cls.SCHEDULE,)

    @classmethod
    def approvals(cls) -> tuple[str, ...]:
        """Reasons a person approves or rejects (the approvals inbox)."""
        return (cls.APPROVAL, cls.CONFIRMATION)

    @classmethod
    def rejectable(cls, reason: str | None) -> bool:
        """Manual starts and loop batches are continued or cancelled, not rejected."""
        return reason in cls.approvals()


class Mode(models.TextChoices):
    AUTOMATIC = "Automatic"
    FAILURE_PAUSE = "FailurePause"
    DEBUG = "Debug"


class LoopMode(models.TextChoices):
    AUTOMATIC = "Automatic"
    FIRST_BATCH_PAUSE = "FirstBatchPause"
    EVERY_BATCH_PAUSE = "EveryBatchPause"


class SafetyCheck(models.TextChoices):
    SKIP = "Skip"
    CONFIRM = "ConfirmEveryHighRiskAction"


class Trigger(models.TextChoices):
    MANUAL = "Manual"
    TIMER = "Timer"
    API = "API"
    EVENT = "Event"


class LogType(models.TextChoices):
    EXECUTION = "Execution"
    TASK = "TaskExecution"
    ACTION = "Action"
    ERROR = "Error"


class Execution(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_execution_id, verbose_name="ExecutionId")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="executions")
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="executions")
    template = models.ForeignKey(
        "templates_app.Template", on_delete=models.SET_NULL, null=True, blank=True, related_name="executions"
    )
    template_name = models.CharField(max_length=200, db_index=True)
    template_version = models.CharField(max_length=8)
    template_content = models.TextField(help_text="Snapshot of the content this execution runs.")
    description = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    outputs = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.AUTOMATIC, db_index=True)
    loop_mode = models.CharField(max_length=16, choices=LoopMode.choices, default=LoopMode.AUTOMATIC)
    safety_check = models.CharField(max_length=32, choices=SafetyCheck.choices, default=SafetyCheck.CONFIRM)
    status = models.CharField(
        max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.STARTED, db_index=True
    )
    status_message = models.TextField(blank=True)
    status_reason = models.CharField(max_length=200, blank=True)
    counters = models.JSONField(default=dict, blank=True)
    current_tasks = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    parent_task_execution = models.ForeignKey(
        "TaskExecution", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    executed_by = models.CharField(max_length=150, blank=True, db_index=True)
    client_token = models.CharField(max_length=64, blank=True)
    trigger = models.CharField(max_length=8, choices=Trigger.choices, default=Trigger.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    start_date = models.DateTimeField(null=True, blank=True, db_index=True)
    end_date = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Engine bookkeeping (not part of any API).
    state = models.JSONField(default=dict, blank=True, help_text="Engine state: cursor, task outputs.")
    cancel_requested = models.BooleanField(default=False)
    cancel_requested_by = models.CharField(max_length=150, blank=True,
                                           help_text="Who asked to cancel: a user name, or 'system'.")
    wake_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=40, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    tenant_lookup = "tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["wake_at"], condition=Q(wake_at__isnull=False), name="execution_due_idx"),
            models.Index(fields=["tenant", "status", "-created_at"], name="execution_tenant_status_idx"),
            # One per ordering the lists offer (the primary key breaks ties), tenant first.
            models.Index(fields=["tenant", "created_at", "id"], name="execution_tenant_created_idx"),
            models.Index(fields=["tenant", "start_date", "id"], name="execution_tenant_started_idx"),
            models.Index(fields=["tenant", "end_date", "id"], name="execution_tenant_ended_idx"),
            models.Index(fields=["tenant", "status", "id"], name="execution_tenant_bystatus_idx"),
            # ?executed_by= names someone with no run in the tenant: without it, a walk of every row.
            models.Index(fields=["tenant", "executed_by", "created_at", "id"], name="execution_tenant_by_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "client_token"], condition=~Q(client_token=""), name="execution_client_token_unique"
            )
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class ExecutionRowQuerySet(TenantScopedQuerySet):
    """Rows of an execution (task executions, log lines) carry its tenant, copied when written.

    Lists scope and sort by tenant without a join to the execution (an index leading
    with the tenant serves them); ``bulk_create`` fills a missing tenant from the
    executions in one query, ``save`` from the row's execution.
    """

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        missing = {obj.execution_id for obj in objs if obj.tenant_id is None}
        if missing:
            tenants = dict(Execution.objects.filter(pk__in=missing).values_list("pk", "tenant_id"))
            for obj in objs:
                if obj.tenant_id is None:
                    obj.tenant_id = tenants.get(obj.execution_id)
        return super().bulk_create(objs, *args, **kwargs)


class ExecutionRow(models.Model):
    """What task executions and log lines share: their execution and its tenant."""

    # Copied from the execution (never changes): lists filter and sort by it without a join.
    # Nullable only so the column could be added to big tables and filled in batches.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, null=True, blank=True, editable=False,
                               db_index=False, related_name="+")

    tenant_lookup = "tenant"
    objects = ExecutionRowQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.tenant_id is None and self.execution_id is not None:
            self.tenant_id = self.execution.tenant_id
        super().save(*args, **kwargs)


class TaskExecution(ExecutionRow):
    """One run of one task (a loop item is a child of its loop's task execution)."""

    id = models.CharField(primary_key=True, max_length=48, verbose_name="TaskExecutionId")
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="task_executions")
    task_name = models.CharField(max_length=200)
    task_action = models.CharField(max_length=128)
    properties = models.JSONField(default=dict, blank=True, help_text="Rendered properties.")
    outputs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING, db_index=True)
    status_message = models.TextField(blank=True)
    loop_item = models.JSONField(null=True, blank=True)
    loop_index = models.PositiveIntegerField(null=True, blank=True)
    loop_batch = models.PositiveIntegerField(null=True, blank=True)
    parent_task_execution = models.ForeignKey(  # indexed by the loop-item indexes below, which lead with it
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", db_index=False
    )
    child_execution = models.ForeignKey(
        Execution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tries = models.PositiveIntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True, help_text="Action state, notes, vSphere task refs.")
    wake_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    # Set by the engine to its round's clock, so created ≤ started ≤ ended always holds.
    created_at = models.DateTimeField(default=timezone.now)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["execution_id", "created_at", "id"]
        indexes = [
            models.Index(fields=["execution", "status"], name="taskexec_exec_status_idx"),
            models.Index(fields=["parent_task_execution", "status"], name="taskexec_parent_status_idx"),
            # A loop's items in item order (the console's item pages: no sort of 10,000 items per page).
            models.Index(fields=["parent_task_execution", "loop_index", "created_at", "id"],
                         name="taskexec_parent_items_idx"),
            # One per ordering the lists offer (the primary key breaks ties), tenant first.
            models.Index(fields=["tenant", "created_at", "id"], name="taskexec_tenant_created_idx"),
            models.Index(fields=["tenant", "start_date", "id"], name="taskexec_tenant_started_idx"),
            models.Index(fields=["tenant", "end_date", "id"], name="taskexec_tenant_ended_idx"),
            models.Index(fields=["tenant", "status", "id"], name="taskexec_tenant_status_idx"),
            # One execution's rows in run order (its task-execution list, the console page).
            models.Index(fields=["execution", "created_at", "id"], name="taskexec_exec_created_idx"),
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def is_finished(self) -> bool:
        return self.status in TASK_FINISHED_STATUSES


class ExecutionLog(ExecutionRow):
    """One log line; written in bulk in the same transaction as the transition it describes."""

    id = models.BigAutoField(primary_key=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="logs")
    task_execution = models.ForeignKey(
        TaskExecution, on_delete=models.CASCADE, null=True, blank=True, related_name="logs"
    )
    created_at = models.DateTimeField(db_index=True)
    log_type = models.CharField(max_length=16, choices=LogType.choices, default=LogType.EXECUTION)
    message = models.TextField()

    class Meta:
        ordering = ["execution_id", "id"]
        indexes = [models.Index(fields=["execution", "id"], name="execlog_exec_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%H:%M:%S} {self.message[:60]}"
