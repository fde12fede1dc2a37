"""vCenters: where they are, how to log in, which tenants may use them, and how syncing goes.

A vCenter and its service account belong to the platform (superusers): one row per
vCenter (its instance uuid is unique), granted to tenants through ``tenants``. Tenants
see and use what is granted to them; they never see or change how it is reached.
"""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from orchestration.encryption import EncryptedTextField
from orchestration.models import Region, Tenant, TenantScopedQuerySet


class VCenterQuerySet(TenantScopedQuerySet):
    def visible(self, tenant_ids, scope: str) -> models.Q:
        """vCenters granted to one of these tenants, each once.

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


# The settings that say where the password goes: changing any of them needs the password again.
ENDPOINT_FIELDS = ("host", "port", "protocol", "user")


class VCenter(models.Model):
    """A platform-owned vCenter endpoint, granted to tenants.

    The password is encrypted at rest, never leaves through any API, and is bound to the
    endpoint it was entered for (``password_endpoint``): a row whose host, port, protocol
    or user changed without a new password is refused before any connection is made.
    """

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
    password_endpoint = models.CharField(
        max_length=600, blank=True, editable=False,
        help_text="The endpoint (protocol://user@host:port) the stored password was entered for.",
    )
    tenants = models.ManyToManyField(Tenant, blank=True, related_name="vcenters", verbose_name="granted to",
                                     help_text="Tenants this vCenter is granted to (platform staff only).")

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
    event_key_until = models.BigIntegerField(
        null=True, blank=True, editable=False,
        help_text="The highest event key read; the next event read starts after it.",
    )
    event_retention_days = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_lookup = "tenants"
    objects = VCenterQuerySet.as_manager()
    _password_entered = False  # set by set_password() until the next save

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "vCenter"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Bind the password to the endpoint whenever a password is (re)entered.

        Only a new row or a password entered anew (:meth:`set_password`, or a changed
        value) moves the binding: moving the host alone (or the port, protocol, user)
        leaves it behind, and the connection refuses to send it.
        """
        update_fields = kwargs.get("update_fields")
        if self._password_is_saved(update_fields) and self._password_is_new():
            self.password_endpoint = self.credential_target
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "password_endpoint"}
        super().save(*args, **kwargs)
        self._password_entered = False

    @property
    def endpoint(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}/sdk"

    @property
    def credential_target(self) -> str:
        """Where the password goes when logging in: protocol, user, host and port."""
        return f"{self.protocol}://{self.user}@{self.host}:{self.port}"

    def set_password(self, password: str) -> None:
        """Take a password just entered for the current settings; saving binds it to them.

        Explicit because staff moving a vCenter often keep the same service account: the
        same value typed again must still count as entered for the new endpoint.
        """
        self.password = password
        self._password_entered = True

    @staticmethod
    def _password_is_saved(update_fields) -> bool:
        return update_fields is None or "password" in update_fields

    def _password_is_new(self) -> bool:
        if self._state.adding or self._password_entered:
            return True
        return VCenter.objects.filter(pk=self.pk).values_list("password", flat=True).first() != self.password

    def password_fits_endpoint(self) -> bool:
        """Whether the password may be sent to the current endpoint.

        An unsaved draft holds a password just typed for its settings; a stored row only
        if its host, port, protocol and user are still those the password was entered for.
        """
        return (self._state.adding and not self.password_endpoint) or self.password_endpoint == self.credential_target


class VCenterOwnedQuerySet(TenantScopedQuerySet):
    """Rows belonging to a vCenter, visible to the tenants that vCenter is granted to."""

    def visible(self, tenant_ids, scope: str) -> models.Q:
        # The vCenters' ids, not a join through their tenants (no row repeats) nor a subquery
        # (``vcenter_id IN (3)`` walks an index leading with the vCenter in the list's order).
        return models.Q(vcenter__in=list(VCenter.objects.filter(tenants__in=tenant_ids).values_list("pk", flat=True)
                                         .distinct()))
