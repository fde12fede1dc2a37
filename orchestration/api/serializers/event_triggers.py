"""Serializers of event triggers and what they did with each matching event."""
from __future__ import annotations

from rest_framework import serializers

from orchestration.api.fields import TenantField
from orchestration.models import EventTrigger, EventTriggerFiring

from .executions import VisibleTemplateField

__all__ = ["EventTriggerFiringSerializer", "EventTriggerSerializer", "EventTriggerUpdateSerializer"]


class EventTriggerSerializer(serializers.ModelSerializer):
    tenant = TenantField(required=False, allow_null=True)
    template = VisibleTemplateField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = EventTrigger
        validators = []  # the service validates (parameters' expressions, the template's tenant)
        fields = [
            "id", "tenant", "template", "template_version", "name", "event_types", "entity_kind", "name_pattern",
            "path_pattern", "alarm_name", "alarm_status", "parameters", "mode", "loop_mode", "safety_check",
            "dedupe_seconds", "max_runs_per_minute", "enabled", "owner", "last_fired_at", "last_error", "created_at",
        ]
        read_only_fields = ["id", "owner", "last_fired_at", "last_error", "created_at"]


class EventTriggerUpdateSerializer(EventTriggerSerializer):
    """A trigger stays in its tenant."""

    tenant = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(EventTriggerSerializer.Meta):
        read_only_fields = [*EventTriggerSerializer.Meta.read_only_fields, "tenant"]


class EventTriggerFiringSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventTriggerFiring
        fields = ["id", "trigger", "source", "source_id", "event_key", "event_type", "event_time", "entity_moref",
                  "entity_name", "fired", "reason", "execution", "created_at"]
        read_only_fields = fields
