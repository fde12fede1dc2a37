"""``/api/v1/event-triggers/`` (operators manage them) and ``/api/v1/event-trigger-firings/`` (what they did)."""
from __future__ import annotations

import django_filters
from rest_framework import mixins, viewsets

from orchestration.api import pagination
from orchestration.api.serializers.event_triggers import (
    EventTriggerFiringSerializer,
    EventTriggerSerializer,
    EventTriggerUpdateSerializer,
)
from orchestration.api.viewsets import TenantScopedViewSet
from orchestration.models import EventTrigger, EventTriggerFiring, Scope
from orchestration.services import event_triggers as service


class EventTriggerViewSet(TenantScopedViewSet):
    """Start a template when a vSphere event from a vCenter granted to the tenant matches.

    Runs as the trigger's owner (whoever last created or changed it). Parameters may use
    ``{{ event.entity.moref }}``, ``{{ event.entity.name }}``, ``{{ event.type }}``,
    ``{{ event.user }}``, ``{{ event.time }}`` and ``{{ event.alarm.status }}``.
    """

    queryset = EventTrigger.objects.select_related("tenant", "owner")
    serializer_class = EventTriggerSerializer
    filterset_fields = ["tenant", "template", "enabled", "entity_kind"]
    ordering_fields = ["name", "created_at", "last_fired_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    run_actions = ("create", "partial_update", "destroy")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return EventTriggerUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["tenant"] = self.request_tenant(data.get("tenant"))
        serializer.instance = service.save_trigger(EventTrigger(**data, owner=self.request.user))

    def perform_update(self, serializer):
        trigger = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(trigger, field, value)
        trigger.owner = self.request.user
        serializer.instance = service.save_trigger(trigger)


class FiringFilterSet(django_filters.FilterSet):
    class Meta:
        model = EventTriggerFiring
        fields = ["trigger", "fired", "entity_moref", "event_type"]


class FiringCursorPagination(pagination.KeysetCursorPagination):
    ordering = "-id"


class EventTriggerFiringViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Each matching event and what the trigger did with it: the run it started, or why not."""

    queryset = EventTriggerFiring.objects.all()
    serializer_class = EventTriggerFiringSerializer
    filterset_class = FiringFilterSet
    pagination_class = FiringCursorPagination

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, Scope.VIEW)
