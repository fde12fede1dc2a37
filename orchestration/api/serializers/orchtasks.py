"""Orchestration tasks on the native API: read shapes with live results, and write inputs.

Writes go through :mod:`orchestration.services.orchtasks` (the same step rules as the
UCloud-style face); steps are given as objects or as the UCloud-style API's JSON strings.
"""
from __future__ import annotations

from rest_framework import serializers

from orchestration.api.fields import ProjectField, TenantField
from orchestration.models import OrchTask
from orchestration.services import orchtask_runs
from orchestration.services import orchtasks as svc
from orchestration.services.orchtask_types import TASK_TYPES


class RunRecordSerializer(serializers.Serializer):
    result = serializers.CharField()
    message = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    task_execution_id = serializers.CharField()


class StepResourceSerializer(serializers.Serializer):
    resource_id = serializers.CharField()
    name = serializers.CharField()
    remark = serializers.CharField(help_text="The VM's folder path.")
    status = serializers.CharField(help_text="The VM's power state in the synced inventory.")
    execution = RunRecordSerializer(help_text="The resource's result in the latest execution.")


class StepViewSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    delay = serializers.IntegerField()
    resources = StepResourceSerializer(many=True)


class OrchTaskListSerializer(serializers.ListSerializer):
    """A page of OrchTasks: their steps and results read for the whole page at once."""

    def to_representation(self, data):
        tasks = list(data.all() if hasattr(data, "all") else data)
        self.child.context["step_views"] = orchtask_runs.step_views_for(tasks)
        return super().to_representation(tasks)


class OrchTaskSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    execution = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta:
        model = OrchTask
        fields = ["id", "tenant", "project", "region", "name", "remark", "task_type", "resource_type", "condition",
                  "status", "execution", "latest_execution", "steps", "created_at", "updated_at"]
        read_only_fields = fields
        list_serializer_class = OrchTaskListSerializer

    def get_status(self, task) -> str:
        return orchtask_runs.task_status(task)

    def get_execution(self, task) -> dict:
        return RunRecordSerializer(orchtask_runs.execution_record(task)).data

    def get_steps(self, task) -> list[dict]:
        views = self.context.get("step_views", {}).get(task.pk)
        return StepViewSerializer(orchtask_runs.step_views(task) if views is None else views, many=True).data


class StepsField(serializers.ListField):
    child = serializers.JSONField()


class OrchTaskCreateSerializer(serializers.Serializer):
    # Scoped like every tenant-owned field: another tenant's ids do not exist (and do not answer differently).
    tenant = TenantField(required=False)
    project = ProjectField(required=False, allow_null=True)
    region = serializers.CharField()
    name = serializers.CharField(max_length=128)
    remark = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    task_type = serializers.ChoiceField(choices=list(TASK_TYPES))
    resource_type = serializers.CharField(default="VM")
    condition = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="JSON filter: NamePattern, Folder, PowerState, Tag.")
    steps = StepsField(required=False, default=list,
                       help_text='Steps like {"order": 1, "delay": 0, "resourceIDs": "vm-1,vm-2"}.')


class OrchTaskUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128, required=False)
    remark = serializers.CharField(max_length=100, required=False, allow_blank=True)
    condition = serializers.CharField(required=False, allow_blank=True)
    steps = StepsField(required=False)


class OrchTaskOperateSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=list(svc.OPERATIONS))


class OrchTaskTypeSerializer(serializers.Serializer):
    task_type = serializers.CharField()
    name = serializers.CharField()
    action = serializers.CharField()
    resource_types = serializers.ListField(child=serializers.CharField())
