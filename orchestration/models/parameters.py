"""The parameter store: tenant parameters and secret parameters, versioned.

Templates read them as ``{{ oos:Name }}`` and ``{{ oos-secret:Name }}``. A row is the
parameter; each write of a value adds a :class:`ParameterVersion` (``v1…vN``). Every
version's value is stored with the field key (:class:`EncryptedTextField`): one storage
path for both kinds, and a secret's plaintext never sits in the database. Which reads may
return a value is a rule of the services (:mod:`orchestration.services.parameters`).
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orchestration.encryption import EncryptedTextField

from .tenancy import Tenant, TenantScopedQuerySet


class ParameterType(models.TextChoices):
    STRING = "String", _("String")
    STRING_LIST = "StringList", _("String list")
    SECRET = "Secret", _("Secret")


class Parameter(models.Model):
    id = models.CharField(primary_key=True, max_length=32, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="parameters")
    name = models.CharField(max_length=180)
    secret = models.BooleanField(default=False, help_text="A secret parameter ({{ oos-secret:Name }}).")
    type = models.CharField(max_length=16, choices=ParameterType.choices, default=ParameterType.STRING)
    description = models.CharField(max_length=200, blank=True)
    constraints = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="The newest version's number.")
    created_by = models.CharField(max_length=150, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_lookup = "tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "secret", "name"], name="parameter_name_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{'oos-secret' if self.secret else 'oos'}:{self.name}"


class ParameterVersion(models.Model):
    parameter = models.ForeignKey(Parameter, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    value = EncryptedTextField()
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_lookup = "parameter__tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["parameter_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["parameter", "version"], name="parameter_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.parameter_id} v{self.version}"
