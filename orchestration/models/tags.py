"""Tags: key/value pairs on any resource (templates, executions, …), as OOS TagResources has them.

One table for every resource type, so ListTagResources and tag filters are single
indexed queries whatever the type.
"""
from __future__ import annotations

from django.db import models

from .tenancy import Tenant, TenantScopedQuerySet


class ResourceTag(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="tags")
    resource_type = models.CharField(max_length=32)  # "template", "execution", …
    resource_id = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=128, blank=True)

    tenant_lookup = "tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["resource_type", "resource_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "resource_id", "key"], name="tag_unique_key_per_resource")
        ]
        indexes = [models.Index(fields=["tenant", "resource_type", "key", "value"], name="tag_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.resource_id} {self.key}={self.value}"
