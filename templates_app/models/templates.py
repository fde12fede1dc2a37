"""Templates (runbooks) and their immutable versions.

A :class:`Template` row carries the newest version's content for fast listing; every
version, the newest included, is a :class:`TemplateVersion` that never changes once
written, so an execution can pin one. Public templates (built-ins) have no tenant:
every tenant reads and runs them, nobody but the loader changes them.
"""
from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from orchestration.models import Scope
from orchestration.models.tenancy import TenantScopedQuerySet

MAX_VERSIONS = 200


def new_template_id() -> str:
    return "t-" + secrets.token_hex(6)


class ShareType(models.TextChoices):
    PRIVATE = "Private"
    PUBLIC = "Public"


class TemplateFormat(models.TextChoices):
    JSON = "JSON"
    YAML = "YAML"


class TemplateQuerySet(TenantScopedQuerySet):
    def visible(self, tenant_ids, scope: str) -> Q:
        """A tenant's own templates, plus the public ones for reading and running (never managing)."""
        own = super().visible(tenant_ids, scope)
        return own if scope == Scope.MANAGE else own | Q(share_type=ShareType.PUBLIC)


class Template(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_template_id, verbose_name="TemplateId")
    tenant = models.ForeignKey(
        "orchestration.Tenant", on_delete=models.CASCADE, null=True, blank=True, related_name="templates",
        help_text="Empty for public (built-in) templates.",
    )
    name = models.CharField(max_length=200, db_index=True)
    description = models.TextField(blank=True)
    content = models.TextField(help_text="Content of the newest version.")
    format = models.CharField(max_length=4, choices=TemplateFormat.choices, default=TemplateFormat.JSON)
    hash = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1, help_text="Number of the newest version.")
    share_type = models.CharField(max_length=8, choices=ShareType.choices, default=ShareType.PRIVATE, db_index=True)
    template_type = models.CharField(max_length=32, default="Automation")
    category = models.CharField(max_length=64, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    total_execution_count = models.PositiveIntegerField(default=0)
    popularity = models.PositiveIntegerField(default=0)
    has_trigger = models.BooleanField(default=False)

    tenant_lookup = "tenant"
    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="template_name_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(tenant__isnull=True), name="public_template_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def version_name(self) -> str:
        return f"v{self.version}"

    @property
    def is_public(self) -> bool:
        return self.share_type == ShareType.PUBLIC


class TemplateVersion(models.Model):
    """One immutable version of a template's content (``v1`` … ``v200``)."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.TextField()
    format = models.CharField(max_length=4, choices=TemplateFormat.choices)
    hash = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    version_description = models.CharField(max_length=200, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_lookup = "template__tenant"

    class Meta:
        ordering = ["template_id", "number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self) -> str:
        return f"{self.template_id} {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("template versions are immutable")
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return f"v{self.number}"


