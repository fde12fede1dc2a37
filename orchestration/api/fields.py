"""Serializer fields shared by every tenant-owned resource."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orchestration.models import Project, Scope, Tenant


@extend_schema_field(OpenApiTypes.INT)
class TenantField(serializers.PrimaryKeyRelatedField):
    """A tenant (``CompanyID``) chosen among those the caller can see; others do not exist."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "CompanyID of the owning tenant.")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return Tenant.objects.for_user(user, Scope.VIEW)


@extend_schema_field(OpenApiTypes.STR)
class ProjectField(serializers.PrimaryKeyRelatedField):
    """A project (``ProjectID``) chosen among those the caller can see; others do not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return Project.objects.for_user(getattr(request, "user", None), Scope.VIEW)
