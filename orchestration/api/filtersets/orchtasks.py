"""Filters of orchestration tasks (DescribeOrchTask's Region, Keyword, Status and more)."""
from __future__ import annotations

import django_filters

from orchestration.models import OrchTask, OrchTaskStatus
from orchestration.services.orchtask_queries import OrchTaskFilter, filter_orch_tasks
from orchestration.services.orchtask_types import TASK_TYPES


class OrchTaskFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region_id")
    project = django_filters.CharFilter(field_name="project_id")
    task_type = django_filters.ChoiceFilter(choices=[(t, t) for t in TASK_TYPES])
    status = django_filters.ChoiceFilter(choices=OrchTaskStatus.choices,
                                         help_text="The status derived from the latest execution.")
    keyword = django_filters.CharFilter(help_text="In the name, remark or TaskID.")

    class Meta:
        model = OrchTask
        fields = ["tenant", "region", "project", "task_type", "resource_type"]

    def filter_queryset(self, queryset):
        """The declared filters document and validate the query; the one read path applies them."""
        data = self.form.cleaned_data
        spec = OrchTaskFilter(
            tenant=data.get("tenant"), region_id=data.get("region") or None, project_id=data.get("project") or None,
            task_type=data.get("task_type") or None, resource_type=data.get("resource_type") or None,
            keyword=data.get("keyword") or None, statuses=(data["status"],) if data.get("status") else (),
        )
        return filter_orch_tasks(queryset, spec)
