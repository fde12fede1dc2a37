"""The audit trail as the native API reads it."""
from __future__ import annotations

from rest_framework import serializers

from orchestration.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "tenant", "actor", "access_key_id", "face", "action", "object_type",
                  "object_id", "result", "error_code", "source_address", "request_id"]
        read_only_fields = fields
