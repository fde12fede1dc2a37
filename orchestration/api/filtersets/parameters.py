"""Filters of parameters: by tenant, type and name (part of it, or a path prefix)."""
from __future__ import annotations

import django_filters

from orchestration.models import Parameter


class ParameterFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Part of the name.")
    path = django_filters.CharFilter(field_name="name", lookup_expr="startswith", help_text="A name prefix.")

    class Meta:
        model = Parameter
        fields = ["tenant", "type", "name", "path"]
