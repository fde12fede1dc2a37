"""Parameters and secret parameters on the native API: read shapes and write inputs.

Writes go through :mod:`orchestration.services.parameters` (its naming, size and
constraint rules). A secret's ``value`` is write-only: it is read only with
``?with_decryption=true``, by a tenant admin, and that read is audited.
"""
from __future__ import annotations

from rest_framework import serializers

from orchestration.api.fields import TenantField
from orchestration.models import Parameter, ParameterType


class ParameterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Parameter
        fields = ["id", "tenant", "name", "type", "description", "constraints", "version", "created_by",
                  "updated_by", "created_at", "updated_at"]
        read_only_fields = fields


class ParameterValueSerializer(ParameterSerializer):
    value = serializers.CharField(required=False,  # absent for a secret read without decryption
                                  help_text="The value of the version read (a secret's only with decryption).")

    class Meta(ParameterSerializer.Meta):
        fields = [*ParameterSerializer.Meta.fields, "value"]
        read_only_fields = fields


class ParameterCreateSerializer(serializers.Serializer):
    tenant = TenantField(required=False)
    name = serializers.CharField(help_text="2–180 letters, digits, '-', '_' or '/'.")
    type = serializers.ChoiceField(choices=[ParameterType.STRING, ParameterType.STRING_LIST], required=False,
                                   help_text="String or StringList (comma-separated); secrets are Secret.")
    value = serializers.CharField(trim_whitespace=False, help_text="1–4096 characters.")
    description = serializers.CharField(required=False, allow_blank=True)
    constraints = serializers.JSONField(required=False,
                                        help_text="AllowedValues, AllowedPattern, MinLength, MaxLength.")


class ParameterUpdateSerializer(serializers.Serializer):
    value = serializers.CharField(required=False, trim_whitespace=False, help_text="A new value makes a new version.")
    description = serializers.CharField(required=False, allow_blank=True)
