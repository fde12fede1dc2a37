"""Event triggers: start a template when an event from a granted vCenter matches.

A trigger matches on event types, the entity's kind, name and inventory path (shell
patterns) and, for alarms, the alarm's name and new status. What it did with each
matching event (ran, or why not) is a :class:`EventTriggerFiring`, unique per trigger
and event, which is also what keeps several engine processes from firing one event
twice. :class:`EventCursor` is how far the triggers have read each event source.
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .executions import Execution, LoopMode, Mode, SafetyCheck
from .tenancy import Tenant, TenantScopedQuerySet


class AlarmStatus(models.TextChoices):
    ANY = "", "any"
    GREEN = "green", "green"
    YELLOW = "yellow", "yellow"
    RED = "red", "red"


class EventTrigger(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="event_triggers")
    template = models.ForeignKey("templates_app.Template", on_delete=models.CASCADE, related_name="event_triggers")
    template_version = models.CharField(max_length=8, blank=True, help_text="Empty: the newest version at each run.")
    name = models.CharField(max_length=128)
    event_types = models.JSONField(default=list, blank=True,
                                   help_text="Event classes to react to, e.g. [\"VmPoweredOffEvent\"]; empty: any.")
    entity_kind = models.CharField(max_length=32, blank=True, help_text="VirtualMachine, HostSystem, …; empty: any.")
    name_pattern = models.CharField(max_length=255, blank=True, help_text="Shell pattern on the entity's name.")
    path_pattern = models.CharField(max_length=1024, blank=True,
                                    help_text="Shell pattern on the entity's inventory path, e.g. /DC0/vm/web/*.")
    alarm_name = models.CharField(max_length=255, blank=True, help_text="Shell pattern on the alarm's name.")
    alarm_status = models.CharField(max_length=8, blank=True, choices=AlarmStatus.choices)
    parameters = models.JSONField(default=dict, blank=True,
                                  help_text="Template parameters; may use {{ event.entity.moref }}, {{ event.user }}…")
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.AUTOMATIC)
    loop_mode = models.CharField(max_length=16, choices=LoopMode.choices, default=LoopMode.AUTOMATIC)
    safety_check = models.CharField(max_length=32, choices=SafetyCheck.choices, default=SafetyCheck.SKIP)
    dedupe_seconds = models.PositiveIntegerField(
        default=60, validators=[MaxValueValidator(86400)],
        help_text="After a run for an entity, further events for the same entity start nothing for this long.")
    max_runs_per_minute = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="At most this many runs in any minute; events beyond it are recorded as skipped.")
    enabled = models.BooleanField(default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_triggers")
    last_fired_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_lookup = "tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["tenant", "enabled"], name="event_trigger_tenant_idx")]

    def __str__(self) -> str:
        return self.name


class EventTriggerFiring(models.Model):
    """What one trigger did with one matching event: started a run, or why not."""

    trigger = models.ForeignKey(EventTrigger, on_delete=models.CASCADE, related_name="firings")
    source = models.CharField(max_length=16, default="vsphere")
    source_id = models.IntegerField(help_text="The vCenter's id.")
    event_key = models.BigIntegerField()
    event_type = models.CharField(max_length=128)
    event_time = models.DateTimeField()
    entity_moref = models.CharField(max_length=64, blank=True)
    entity_name = models.CharField(max_length=255, blank=True)
    fired = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text="Why nothing ran (duplicate, rate limit, error).")
    execution = models.ForeignKey(Execution, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="event_firings")
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_lookup = "trigger__tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["trigger", "source", "source_id", "event_key"],
                                               name="event_firing_once")]
        indexes = [
            models.Index(fields=["trigger", "fired", "entity_moref", "-created_at"], name="event_firing_dedupe_idx"),
            models.Index(fields=["trigger", "-id"], name="event_firing_history_idx"),
        ]

    def __str__(self) -> str:
        outcome = "ran" if self.fired else f"skipped ({self.reason})"
        return f"{self.event_type} {self.entity_name or self.entity_moref}: {outcome}"


class EventCursor(models.Model):
    """The highest event key the triggers have handled, per event source (vCenter)."""

    source = models.CharField(max_length=16)
    source_id = models.IntegerField()
    key = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="event_cursor_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id} up to {self.key}"
