"""vCenters: where they are, how to log in, which tenants may use them, and how syncing goes."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from orchestration.encryption import EncryptedTextField
from orchestration.models import Region, Tenant, TenantScopedQuerySet


class VCenterQuerySet(TenantScopedQuerySet):
    def visible(self, tenant_ids, scope: str) -> models.Q:
        """vCenters allowed to one of these tenants, each once.

        ``tenants`` is an M2M, so a plain join would repeat a vCenter shared by two of
        the caller's tenants; a primary-key subquery keeps rows unique.
        """
        return models.Q(pk__in=VCenter.objects.filter(tenants__in=tenant_ids).values("pk"))


class Protocol(models.TextChoices):
    HTTPS = "https", "https"
    HTTP = "http", "http (simulators and labs only)"


class SyncStatus(models.TextChoices):
    NEVER = "never", "never synced"
    OK = "ok", "ok"
    ERROR = "error", "error"


class VCenter(models.Model):
    """A vCenter endpoint. The password is encrypted at rest and never leaves through any API."""

    name = models.CharField(max_length=128)
    vsphere_uuid = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False,
        help_text="The vCenter's content.about.instanceUuid, read on first connect.",
    )
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=443, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.HTTPS)
    user = models.CharField(max_length=255)
    password = EncryptedTextField()
    verify_tls = models.BooleanField(default=True, help_text="Verify the vCenter's TLS certificate (https only).")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="vcenters")
    tenants = models.ManyToManyField(Tenant, blank=True, related_name="vcenters",
                                     help_text="Tenants allowed to use this vCenter.")

    sync_enabled = models.BooleanField(default=True)
    sync_interval = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(86400)],
        help_text="Seconds between task syncs. django-q2's scheduler checks about every 30 s, "
                  "so intervals below that run at the scheduler's pace.",
    )
    inventory_interval = models.PositiveIntegerField(
        default=300, validators=[MinValueValidator(30), MaxValueValidator(86400)],
        help_text="Seconds between inventory syncs.",
    )
    task_retention_days = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])

    version = models.CharField(max_length=255, blank=True, editable=False)
    api_version = models.CharField(max_length=32, blank=True, editable=False)
    last_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sync_status = models.CharField(max_length=8, choices=SyncStatus.choices, default=SyncStatus.NEVER,
                                        editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_inventory_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Task history collector: None = not tried yet, False = the server lacks it.
    task_history_supported = models.BooleanField(null=True, blank=True, editable=False)
    task_history_until = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Queue time up to which the task history has been read.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_lookup = "tenants"
    objects = VCenterQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "vCenter"

    def __str__(self) -> str:
        return self.name

    @property
    def endpoint(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}/sdk"


class VCenterOwnedQuerySet(TenantScopedQuerySet):
    """Rows belonging to a vCenter, visible to the tenants that may use that vCenter."""

    def visible(self, tenant_ids, scope: str) -> models.Q:
        # A subquery on vCenters, not a join through their tenants, so no row repeats.
        return models.Q(vcenter__in=VCenter.objects.filter(tenants__in=tenant_ids).values("pk"))
