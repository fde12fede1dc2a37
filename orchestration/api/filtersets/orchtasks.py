"""Filters of orchestration tasks (DescribeOrchTask's Region, Keyword, Status and more)."""
from __future__ import annotations

import django_filters
from django.db.models import Q

from orchestration.models import OrchTask, OrchTaskStatus
from orchestration.services.orchtask_runs import status_filter
from orchestration.services.orchtask_types import TASK_TYPES


class OrchTaskFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region_id")
    project = django_filters.CharFilter(field_name="project_id")
    task_type = django_filters.ChoiceFilter(choices=[(t, t) for t in TASK_TYPES])
    status = django_filters.ChoiceFilter(choices=OrchTaskStatus.choices, method="filter_status",
                                         help_text="The status derived from the latest execution.")
    keyword = django_filters.CharFilter(method="filter_keyword", help_text="In the name, remark or TaskID.")

    class Meta:
        model = OrchTask
        fields = ["tenant", "region", "project", "task_type", "resource_type"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_filter(value)) if value else queryset

    def filter_keyword(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(remark__icontains=value) | Q(pk=value))
