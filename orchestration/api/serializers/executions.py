"""Executions, task executions, logs and timer triggers on the native API."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orchestration.api.fields import TenantField
from orchestration.engine.operations import NOTIFY_TYPES
from orchestration.models import (
    Execution,
    ExecutionLog,
    ExecutionStatus,
    LoopMode,
    Mode,
    SafetyCheck,
    Scope,
    TaskExecution,
    TimerTrigger,
)
from orchestration.services import tags as tag_service
from orchestration.services.executions import TAG_RESOURCE
from templates_app.models import Template

TAGS_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}


class TaggedExecutionListSerializer(serializers.ListSerializer):
    """Loads the tags of a whole page in one query instead of one per row."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.context["tags"] = tag_service.tags_of(TAG_RESOURCE, [item.pk for item in items])
        return super().to_representation(items)


@extend_schema_field(TAGS_SCHEMA)
class ExecutionTagsField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(source="*", **kwargs)

    def to_representation(self, execution):
        page_tags = self.context.get("tags")
        if page_tags is not None:
            return page_tags.get(execution.pk, {})
        return tag_service.tags_of(TAG_RESOURCE, [execution.pk]).get(execution.pk, {})


class ExecutionSerializer(serializers.ModelSerializer):
    """An execution as listed and fetched (Alibaba OOS's ``Execution`` shape, in snake_case)."""

    is_parent = serializers.SerializerMethodField(help_text="Whether the execution has child executions.")
    tags = ExecutionTagsField()

    class Meta:
        model = Execution
        list_serializer_class = TaggedExecutionListSerializer
        fields = [
            "id", "tenant", "project", "template", "template_name", "template_version", "description",
            "parameters", "outputs", "mode", "loop_mode", "safety_check", "status", "status_message",
            "status_reason", "counters", "current_tasks", "parent", "parent_task_execution", "is_parent",
            "executed_by", "trigger", "cancel_requested", "tags", "created_at", "start_date", "end_date",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_parent(self, execution) -> bool:
        annotated = getattr(execution, "has_children", None)
        if annotated is not None:
            return annotated
        return Execution.objects.filter(parent_id=execution.pk).exists()


class ExecutionStartSerializer(serializers.Serializer):
    """StartExecution. ``tenant`` may be left out by a member of a single tenant."""

    tenant = TenantField(required=False, allow_null=True)
    template = serializers.CharField(help_text="Template id or name; public templates may be run too.")
    version = serializers.CharField(required=False, allow_blank=True, help_text="e.g. v2; the newest by default.")
    parameters = serializers.DictField(required=False, default=dict)
    mode = serializers.ChoiceField(choices=Mode.choices, default=Mode.AUTOMATIC)
    loop_mode = serializers.ChoiceField(choices=LoopMode.choices, default=LoopMode.AUTOMATIC)
    safety_check = serializers.ChoiceField(choices=SafetyCheck.choices, default=SafetyCheck.CONFIRM)
    client_token = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Idempotency token: the same token within 24 h returns the same execution.",
    )
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    tags = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class ExecutionNotifySerializer(serializers.Serializer):
    notify_type = serializers.ChoiceField(choices=[(t, t) for t in NOTIFY_TYPES])
    task_execution_id = serializers.CharField(required=False, allow_blank=True, default="")
    task_name = serializers.CharField(required=False, allow_blank=True, default="")
    loop_item = serializers.JSONField(required=False, default=None, help_text="Targets one loop item.")
    parameters = serializers.DictField(required=False, help_text="New parameters (ExecuteTask in Debug mode).")
    execution_status = serializers.ChoiceField(
        choices=[(s, s) for s in (ExecutionStatus.SUCCESS, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)],
        required=False, help_text="Final status for CompleteExecution (Success by default).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ExecutionRerunSerializer(serializers.Serializer):
    failed_items_only = serializers.BooleanField(
        default=True, help_text="For a failed loop: re-run only its failed items (true) or the whole loop."
    )


class ExecutionDeleteSerializer(serializers.Serializer):
    tenant = TenantField(required=False, allow_null=True, help_text="CompanyID; implied by the executions.")
    ids = serializers.ListField(child=serializers.CharField(), help_text="1 to 100 finished execution ids.")


class DeletedSerializer(serializers.Serializer):
    deleted = serializers.IntegerField()


class ExecutionTemplateSerializer(serializers.Serializer):
    """GetExecutionTemplate: the content the execution runs, pinned at its start."""

    execution = serializers.CharField(source="id")
    template = serializers.CharField(source="template_id", allow_null=True)
    template_name = serializers.CharField()
    template_version = serializers.CharField()
    content = serializers.CharField(source="template_content")


class TaskExecutionSerializer(serializers.ModelSerializer):
    loop = serializers.SerializerMethodField(help_text="Loop configuration and counts (loop task executions only).")
    extra_data = serializers.SerializerMethodField(help_text="Notifications (with notes) and what the task waits for.")

    class Meta:
        model = TaskExecution
        fields = [
            "id", "execution", "task_name", "task_action", "properties", "outputs", "status", "status_message",
            "loop_item", "loop_index", "loop_batch", "loop", "parent_task_execution", "child_execution", "tries",
            "extra_data", "created_at", "start_date", "end_date", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True))  # null for a task that is not a loop
    def get_loop(self, te) -> dict | None:
        loop = te.extra.get("loop")
        if loop is None:
            return None
        keys = ("concurrency", "max_errors", "running", "succeeded", "failed", "batch")
        return {"total": len(loop.get("items", ())), **{k: loop.get(k) for k in keys}}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_extra_data(self, te) -> dict:
        data = {}
        if te.extra.get("waiting_for"):
            data["waiting_for"] = te.extra["waiting_for"]
        if te.extra.get("notifications"):
            data["notifications"] = te.extra["notifications"]
            data["notify_note"] = te.extra["notifications"][-1].get("note", "")
        return data


class ExecutionLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExecutionLog
        fields = ["id", "execution", "task_execution", "created_at", "log_type", "message"]
        read_only_fields = fields


class VisibleTemplateField(serializers.PrimaryKeyRelatedField):
    """A template the caller can run: one of their tenants' or a public one."""

    def get_queryset(self):
        request = self.context.get("request")
        return Template.objects.for_user(getattr(request, "user", None), Scope.VIEW)


class TimerTriggerSerializer(serializers.ModelSerializer):
    tenant = TenantField(required=False, allow_null=True)
    template = VisibleTemplateField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TimerTrigger
        validators = []  # the service validates (schedule, template's tenant)
        fields = [
            "id", "tenant", "template", "template_version", "name", "cron", "run_at", "parameters", "mode",
            "loop_mode", "safety_check", "enabled", "owner", "next_run_at", "last_run_at", "last_execution",
            "last_error", "created_at",
        ]
        read_only_fields = ["id", "owner", "next_run_at", "last_run_at", "last_execution", "last_error", "created_at"]


class TimerTriggerUpdateSerializer(TimerTriggerSerializer):
    """A trigger stays in its tenant: ``tenant`` is read only (a declared field ignores ``read_only_fields``)."""

    tenant = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(TimerTriggerSerializer.Meta):
        read_only_fields = [*TimerTriggerSerializer.Meta.read_only_fields, "tenant"]
