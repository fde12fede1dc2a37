"""Filters of executions, task executions and logs (Alibaba OOS's ListExecutions & co.)."""
from __future__ import annotations

import django_filters

from orchestration.api.filtersets.tags import TagFilter
from orchestration.models import (
    Execution,
    ExecutionLog,
    ExecutionStatus,
    LogType,
    Mode,
    TaskExecution,
    TaskStatus,
    TimerTrigger,
    Trigger,
)
from orchestration.services.execution_queries import ExecutionFilter, filter_executions
from orchestration.services.executions import TAG_RESOURCE
from orchestration.services.task_execution_queries import (
    LogFilter,
    TaskExecutionFilter,
    filter_logs,
    filter_task_executions,
)

NONE = "none"


def _date_range(field: str, what: str) -> tuple[django_filters.Filter, django_filters.Filter]:
    return (
        django_filters.IsoDateTimeFilter(field_name=field, lookup_expr="gte", help_text=f"{what} at or after."),
        django_filters.IsoDateTimeFilter(field_name=field, lookup_expr="lte", help_text=f"{what} at or before."),
    )


class ExecutionFilterSet(django_filters.FilterSet):
    template = django_filters.CharFilter(field_name="template_id", help_text="Template id.")
    status = django_filters.MultipleChoiceFilter(choices=ExecutionStatus.choices, help_text="Repeat for several.")
    mode = django_filters.ChoiceFilter(choices=Mode.choices)
    trigger = django_filters.ChoiceFilter(choices=Trigger.choices)
    template_name = django_filters.CharFilter(lookup_expr="icontains", help_text="Template name contains.")
    executed_by = django_filters.CharFilter()
    parent = django_filters.CharFilter(
        help_text="Children of this execution, or `none` for top-level executions only."
    )
    include_child_executions = django_filters.BooleanFilter(
        help_text="Also list child executions (of ACS::Template tasks). Default false."
    )
    created_after, created_before = _date_range("created_at", "Created")
    start_date_after, start_date_before = _date_range("start_date", "Started")
    end_date_after, end_date_before = _date_range("end_date", "Ended")
    tag = TagFilter(resource_type=TAG_RESOURCE)

    class Meta:
        model = Execution
        fields = ["tenant", "template", "status", "mode", "trigger", "template_name", "executed_by", "parent"]

    def filter_queryset(self, queryset):
        """The declared filters document and validate the query; the one read path applies them."""
        data = self.form.cleaned_data
        tags = {}
        for item in self.request.query_params.getlist("tag") if self.request is not None else ():
            key, _, value = item.partition(":")
            tags[key] = value or None
        spec = ExecutionFilter(
            tenant=data.get("tenant"), template_id=data.get("template") or None,
            template_name=data.get("template_name") or None, statuses=tuple(data.get("status") or ()),
            mode=data.get("mode") or None, trigger=data.get("trigger") or None,
            executed_by=data.get("executed_by") or None, parent=data.get("parent") or None,
            include_children=bool(data.get("include_child_executions")),
            created_after=data.get("created_after"), created_before=data.get("created_before"),
            started_after=data.get("start_date_after"), started_before=data.get("start_date_before"),
            ended_after=data.get("end_date_after"), ended_before=data.get("end_date_before"), tags=tags,
        )
        return filter_executions(queryset, spec)


class TaskExecutionFilterSet(django_filters.FilterSet):
    """By default only top-level task executions; a loop's items with ``parent_task_execution=<id>``."""

    execution = django_filters.CharFilter(field_name="execution_id")
    task_name = django_filters.CharFilter()
    task_action = django_filters.CharFilter()
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices, help_text="Repeat for several.")
    parent_task_execution = django_filters.CharFilter(
        help_text="Items of this loop task execution, or `none` for top-level ones."
    )
    include_child_task_executions = django_filters.BooleanFilter(help_text="Also list loop items. Default false.")
    loop_item = django_filters.CharFilter(
        help_text="Loop item, as JSON or as a plain string (implies loop items)."
    )
    start_date_after, start_date_before = _date_range("start_date", "Started")
    end_date_after, end_date_before = _date_range("end_date", "Ended")

    class Meta:
        model = TaskExecution
        fields = ["execution", "task_name", "task_action", "status", "parent_task_execution"]

    def filter_queryset(self, queryset):
        """The declared filters document and validate the query; the one read path applies them."""
        data = self.form.cleaned_data
        parent = data.get("parent_task_execution") or None
        top_level = parent is not None and parent.lower() == NONE
        spec = TaskExecutionFilter(
            execution_id=data.get("execution") or None, task_name=data.get("task_name") or None,
            task_action=data.get("task_action") or None, statuses=tuple(data.get("status") or ()),
            parent=None if top_level else parent, top_level_only=top_level,
            include_children=bool(data.get("include_child_task_executions")),
            loop_item=data.get("loop_item") or None,
            started_after=data.get("start_date_after"), started_before=data.get("start_date_before"),
            ended_after=data.get("end_date_after"), ended_before=data.get("end_date_before"),
        )
        return filter_task_executions(queryset, spec)


class ExecutionLogFilterSet(django_filters.FilterSet):
    task_execution = django_filters.CharFilter(field_name="task_execution_id")
    log_type = django_filters.ChoiceFilter(choices=LogType.choices)
    after_id = django_filters.NumberFilter(
        field_name="id", lookup_expr="gt", help_text="Only lines after this log id (to follow a running execution)."
    )

    class Meta:
        model = ExecutionLog
        fields = ["task_execution", "log_type"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        after = data.get("after_id")
        spec = LogFilter(task_execution_id=data.get("task_execution") or None, log_type=data.get("log_type") or None,
                         after_id=int(after) if after is not None else None)
        return filter_logs(queryset, spec)


class TimerTriggerFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    template = django_filters.CharFilter(field_name="template_id", help_text="Template id.")

    class Meta:
        model = TimerTrigger
        fields = ["tenant", "template", "name", "enabled", "mode"]
