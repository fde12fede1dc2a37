"""Filters of the audit trail: time range, actor, face, action, object and result."""
from __future__ import annotations

import django_filters

from orchestration.models import AuditEvent, AuditResult, Face


class AuditEventFilterSet(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                                     help_text="At or after (ISO 8601).")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte",
                                                      help_text="At or before (ISO 8601).")
    actor = django_filters.CharFilter(help_text="User name (exact), or 'system'.")
    access_key_id = django_filters.CharFilter()
    face = django_filters.MultipleChoiceFilter(choices=Face.choices, help_text="Repeat for several.")
    action = django_filters.CharFilter(lookup_expr="istartswith",
                                       help_text="Action, or its beginning (`execution.` for all of them).")
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    result = django_filters.ChoiceFilter(choices=AuditResult.choices)

    class Meta:
        model = AuditEvent
        fields = ["tenant", "actor", "access_key_id", "face", "action", "object_type", "object_id", "result"]
