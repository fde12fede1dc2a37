from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from orchestration.api.fields import TenantField
from orchestration.models import AccessKey, Membership, Project, Region, Tenant


class TenantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["id", "name", "email", "enabled", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"id": {"help_text": "CompanyID"}}


class ProjectSerializer(serializers.ModelSerializer):
    tenant = TenantField()

    class Meta:
        model = Project
        fields = ["id", "tenant", "name", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"id": {"help_text": "ProjectID, e.g. org-3fk2a1"}}


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "alias", "created_at"]
        read_only_fields = ["created_at"]


class MembershipSerializer(serializers.ModelSerializer):
    tenant = TenantField()
    user = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.all())

    class Meta:
        model = Membership
        fields = ["id", "tenant", "user", "role", "created_at"]
        read_only_fields = ["id", "created_at"]


class AccessKeySerializer(serializers.ModelSerializer):
    """An access key as listed and fetched: never with its secret."""

    tenant = TenantField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AccessKey
        fields = ["id", "tenant", "owner", "description", "enabled", "created_at", "last_used_at"]
        read_only_fields = ["id", "owner", "created_at", "last_used_at"]


class AccessKeyCreatedSerializer(AccessKeySerializer):
    """The answer to creating a key: the only response that carries the secret."""

    secret = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(AccessKeySerializer.Meta):
        fields = [*AccessKeySerializer.Meta.fields, "secret"]
