"""Timer triggers: run a template on a cron expression, at a rate, or once at a time.

A trigger either stands alone (a tenant's schedule for a template, run as its owner) or
belongs to an execution whose first task is ``ACS::TimerTrigger``: then each fire runs
the rest of that execution's template as its child, and the trigger lives and ends with it.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .executions import Execution, LoopMode, Mode, SafetyCheck
from .tenancy import Tenant, TenantScopedQuerySet


class TimerTriggerQuerySet(TenantScopedQuerySet):
    def standalone(self) -> TimerTriggerQuerySet:
        """Tenants' own triggers; an execution's timer is seen and ended through its execution."""
        return self.filter(execution__isnull=True)


class TimerTrigger(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="timer_triggers")
    template = models.ForeignKey("templates_app.Template", on_delete=models.CASCADE, related_name="timer_triggers",
                                 null=True, blank=True, help_text="Empty only for an execution's own timer.")
    execution = models.ForeignKey(
        Execution, on_delete=models.CASCADE, null=True, blank=True, related_name="timer_triggers",
        help_text="The execution whose ACS::TimerTrigger task armed this timer; each fire runs its child.",
    )
    template_version = models.CharField(max_length=8, blank=True, help_text="Empty: the newest version at each run.")
    name = models.CharField(max_length=128)
    cron = models.CharField(max_length=128, blank=True, help_text="Cron expression (UTC), e.g. '0 3 * * 1-5'.")
    run_at = models.DateTimeField(null=True, blank=True, help_text="Run once at this time (instead of cron).")
    interval_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Run every so many seconds.")
    time_zone = models.CharField(max_length=64, blank=True, help_text="Zone the cron reads in (empty: UTC).")
    start_at = models.DateTimeField(null=True, blank=True, help_text="No run before this time.")
    end_at = models.DateTimeField(null=True, blank=True, help_text="No run after this time.")
    parameters = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.AUTOMATIC)
    loop_mode = models.CharField(max_length=16, choices=LoopMode.choices, default=LoopMode.AUTOMATIC)
    safety_check = models.CharField(max_length=32, choices=SafetyCheck.choices, default=SafetyCheck.SKIP)
    enabled = models.BooleanField(default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timer_triggers",
                              null=True, blank=True, help_text="Empty for an execution's own timer.")
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_execution = models.ForeignKey(Execution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_lookup = "tenant"
    objects = TimerTriggerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["next_run_at"], condition=Q(enabled=True), name="trigger_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cron or self.run_at or f'every {self.interval_seconds} s'})"
