"""Orchestration tasks: create, edit steps, operate (Execute, Pause, Resume, Abort, Retry,
Update) and read per-resource results. Every rule is :mod:`orchestration.services.orchtasks`'s."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from orchestration.api.filtersets.orchtasks import OrchTaskFilterSet
from orchestration.api.serializers.orchtasks import (
    OrchTaskCreateSerializer,
    OrchTaskOperateSerializer,
    OrchTaskSerializer,
    OrchTaskTypeSerializer,
    OrchTaskUpdateSerializer,
)
from orchestration.api.viewsets import TenantScopedViewSet
from orchestration.models import OrchTask
from orchestration.services import orchtasks as service
from orchestration.services.orchtask_types import TASK_TYPES

from .executions import ScopedDetailMixin


@extend_schema_view(
    list=extend_schema(summary="DescribeOrchTask"),
    retrieve=extend_schema(summary="DescribeOrchTask (one)"),
    destroy=extend_schema(summary="DeleteOrchTask"),
)
class OrchTaskViewSet(ScopedDetailMixin, TenantScopedViewSet):
    queryset = (OrchTask.objects.select_related("tenant", "project", "region", "latest_execution", "created_by")
                .prefetch_related("steps"))
    serializer_class = OrchTaskSerializer
    filterset_class = OrchTaskFilterSet
    ordering_fields = ["created_at", "updated_at", "name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    run_actions = ("create", "partial_update", "destroy", "operate")

    def _answer(self, task: OrchTask, code: int = status.HTTP_200_OK) -> Response:
        task = self.get_queryset().get(pk=task.pk)
        return Response(OrchTaskSerializer(task, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="CreateOrchTask", request=OrchTaskCreateSerializer, responses={201: OrchTaskSerializer})
    def create(self, request, *args, **kwargs):
        serializer = OrchTaskCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = self.request_tenant(data.get("tenant"))
        project = data.get("project")
        if project is not None and project.tenant_id != tenant.pk:
            raise ValidationError({"project": [f"Project {project.pk} is not in tenant {tenant.pk}."]})
        task = service.create_orch_task(
            tenant=tenant, user=request.user, region=data["region"], name=data["name"], remark=data["remark"],
            task_type=data["task_type"], resource_type=data["resource_type"], condition=data["condition"],
            steps=data["steps"], project_id=project.pk if project else None,
        )
        return self._answer(task, status.HTTP_201_CREATED)

    @extend_schema(summary="UpdateOrchTask", request=OrchTaskUpdateSerializer, responses=OrchTaskSerializer)
    def partial_update(self, request, *args, **kwargs):
        task = self.get_object()
        serializer = OrchTaskUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        steps = data.get("steps")
        if steps is None:
            steps = [{"order": s.order, "delay": s.delay, "resourceIDs": ",".join(s.resource_ids)}
                     for s in task.steps.all()]
        service.update_orch_task(task, request.user, steps=steps, condition=data.get("condition"),
                                 name=data.get("name"), remark=data.get("remark"))
        return self._answer(task)

    def perform_destroy(self, instance):
        service.delete_orch_task(instance, self.request.user)

    @extend_schema(summary="OperateOrchTask", request=OrchTaskOperateSerializer, responses=OrchTaskSerializer)
    @action(detail=True, methods=["post"])
    def operate(self, request, pk=None):
        task = self.get_object()
        serializer = OrchTaskOperateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(service.operate_orch_task(task, request.user, serializer.validated_data["operation"]))

    @extend_schema(summary="Template the next Execute runs", request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def template(self, request, pk=None):
        return Response(service.generated_template(self.get_object()))

    @extend_schema(summary="DescribeOrchTaskType", request=None, responses=OrchTaskTypeSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def types(self, request):
        """Every task type, as a plain list: a handful of fixed rows, neither paged nor filtered."""
        rows = [{"task_type": t.task_type, "name": t.name, "action": t.action, "resource_types": list(t.resource_types)}
                for t in TASK_TYPES.values()]
        return Response(OrchTaskTypeSerializer(rows, many=True).data)
