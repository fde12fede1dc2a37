"""The audit trail: one append-only row per state-changing call, on whichever face it came.

Why a table of our own rather than django-auditlog or django-simple-history: those record
a model's field changes, while the trail records *calls* — who (user or access key),
through which face, which action, on what, with what result, from which address. A
refused call changes no field yet must be in the trail.

Rows are never changed or removed through the ORM: ``save()`` only inserts, and the
queryset refuses ``update()`` and ``delete()``. Tenant and user are kept as plain ids
(no database constraint, nothing cascades), so deleting a tenant or a user leaves its
trail in place; ``actor`` keeps the name the actor had at the time.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import TenantScopedQuerySet


class Face(models.TextChoices):
    """Where a call came in."""

    NATIVE = "native", _("Native API")
    CONSOLE = "console", _("Console")
    ADMIN = "admin", _("Admin")
    ALIBABA = "alibaba", _("Alibaba OOS")
    UCLOUD = "ucloud", _("UCloud")
    BAIDU = "baidu", _("Baidu OOS")
    HUAWEI = "huawei", _("Huawei AOM")
    SYSTEM = "system", _("System")


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class AppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(TenantScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One state-changing call: who, tenant, face, action, object, result and source address."""

    created_at = models.DateTimeField(auto_now_add=True)
    tenant = models.ForeignKey(
        "orchestration.Tenant", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", help_text="Empty for platform-level events (vCenters, regions, failed sign-ins).",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+",
    )
    actor = models.CharField(max_length=150, blank=True, help_text="User name at the time, or 'system'.")
    access_key_id = models.CharField(max_length=64, blank=True, db_index=True)
    face = models.CharField(max_length=16, choices=Face.choices)
    action = models.CharField(max_length=128)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=255, blank=True)
    result = models.CharField(max_length=8, choices=AuditResult.choices)
    error_code = models.CharField(max_length=128, blank=True)
    source_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    tenant_lookup = "tenant"
    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="audit_tenant_time"),
            models.Index(fields=["-created_at", "-id"], name="audit_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor or '-'} {self.face} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")
