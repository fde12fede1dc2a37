"""Executions, their task executions and logs, and timer triggers.

The views only translate HTTP into calls of :mod:`orchestration.services.executions`
and :mod:`orchestration.services.triggers`; every rule (roles, parameters, statuses,
ClientToken) is the services'. Reading needs VIEW, running and controlling RUN.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from orchestration.api import filtersets, pagination, serializers
from orchestration.api.viewsets import TenantScopedViewSet
from orchestration.errors import NotFound
from orchestration.models import Execution, ExecutionLog, Scope, TaskExecution, Tenant, TimerTrigger
from orchestration.services import executions as service
from orchestration.services import triggers as trigger_service
from templates_app.models import Template
from templates_app.services.templates import find_template

TASK_ORDERING = ["created_at", "start_date", "end_date", "status"]
# Nested lists have a queryset of task executions or logs; their {id} is still the execution's.
EXECUTION_ID = OpenApiParameter("id", str, OpenApiParameter.PATH, description="ExecutionId, e.g. exec-…")


class ScopedDetailMixin:
    """Detail routes look the object up in the tenant-scoped queryset only.

    List filters (such as "top-level executions only by default") never hide an
    object from its own URL.
    """

    def get_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj


@extend_schema_view(
    list=extend_schema(summary="ListExecutions"),
    retrieve=extend_schema(summary="GetExecution"),
    destroy=extend_schema(summary="DeleteExecution (finished ones only)"),
)
class ExecutionViewSet(ScopedDetailMixin, TenantScopedViewSet):
    """Executions of templates. Top-level ones are listed unless ``include_child_executions=true``."""

    queryset = Execution.objects.select_related("tenant").defer("template_content", "state")
    serializer_class = serializers.ExecutionSerializer
    filterset_class = filtersets.ExecutionFilterSet
    pagination_class = pagination.ExecutionCursorPagination
    ordering_fields = ["created_at", "start_date", "end_date", "status"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    run_actions = ("create", "destroy", "cancel", "notify", "rerun", "bulk_delete")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.annotate(has_children=Exists(Execution.objects.filter(parent=OuterRef("pk"))))
        return queryset

    def _answer(self, execution: Execution, code: int = status.HTTP_200_OK) -> Response:
        return Response(serializers.ExecutionSerializer(execution, context=self.get_serializer_context()).data,
                        status=code)

    # ------------------------------------------------------------------ start

    @extend_schema(summary="StartExecution", request=serializers.ExecutionStartSerializer,
                   responses={201: serializers.ExecutionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = serializers.ExecutionStartSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = self.request_tenant(data.get("tenant"))
        execution = service.start_execution(
            tenant=tenant,
            user=request.user,
            template=self._template(tenant, data["template"]),
            version=data.get("version") or None,
            parameters=data["parameters"],
            mode=data["mode"],
            loop_mode=data["loop_mode"],
            safety_check=data["safety_check"],
            client_token=data["client_token"],
            description=data["description"],
            tags=data.get("tags"),
        )
        return self._answer(execution, status.HTTP_201_CREATED)

    def _template(self, tenant: Tenant, reference: str) -> Template:
        """A template by id or name: the tenant's own first, then a public one (a bad reference is a bad field)."""
        try:
            return find_template(self.request.user, reference, tenant=tenant, scope=Scope.VIEW)
        except NotFound:
            problem = f"No template {reference!r} in tenant {tenant.pk} or public."
            raise ValidationError({"template": [problem]}) from None

    # ------------------------------------------------------------------ control

    @extend_schema(summary="CancelExecution", request=None, responses=serializers.ExecutionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._answer(service.cancel_execution(self.get_object(), request.user))

    @extend_schema(summary="NotifyExecution", request=serializers.ExecutionNotifySerializer,
                   responses=serializers.ExecutionSerializer)
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        execution = self.get_object()
        serializer = serializers.ExecutionNotifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        execution = service.notify_execution(
            execution,
            request.user,
            data["notify_type"],
            task_execution_id=data["task_execution_id"] or None,
            task_name=data["task_name"] or None,
            loop_item=data["loop_item"],
            parameters=data.get("parameters"),
            execution_status=data.get("execution_status"),
            note=data["note"],
        )
        return self._answer(execution)

    @extend_schema(summary="Re-run a failed execution from its failed step",
                   request=serializers.ExecutionRerunSerializer, responses=serializers.ExecutionSerializer)
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        execution = self.get_object()
        serializer = serializers.ExecutionRerunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        execution = service.rerun_execution(
            execution, request.user, failed_items_only=serializer.validated_data["failed_items_only"]
        )
        return self._answer(execution)

    def perform_destroy(self, instance):
        service.delete_executions(instance.tenant, self.request.user, [instance.pk])

    @extend_schema(summary="DeleteExecutions", request=serializers.ExecutionDeleteSerializer,
                   responses=serializers.DeletedSerializer)
    @action(detail=False, methods=["post"], url_path="delete")
    def bulk_delete(self, request):
        """Delete 1–100 finished top-level executions of one tenant (their children go with them)."""
        serializer = serializers.ExecutionDeleteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        ids, tenant = serializer.validated_data["ids"], serializer.validated_data.get("tenant")
        if tenant is None:
            owners = set(self.get_queryset().filter(pk__in=ids).values_list("tenant_id", flat=True))
            if len(owners) > 1:
                raise ValidationError({"ids": ["Give executions of one tenant at a time."]})
            tenant = Tenant.objects.get(pk=owners.pop()) if owners else self.request_tenant(None)
        with transaction.atomic():
            deleted = service.delete_executions(tenant, request.user, ids)
        return Response({"deleted": deleted})

    # ------------------------------------------------------------------ reading

    def _execution(self, pk) -> Execution:
        """The execution of a nested list (whose own ``queryset`` is of task executions or logs)."""
        execution = get_object_or_404(Execution.objects.for_user(self.request.user, Scope.VIEW), pk=pk)
        self.check_object_permissions(self.request, execution)
        return execution

    @extend_schema(summary="GetExecutionTemplate", responses=serializers.ExecutionTemplateSerializer)
    @action(detail=True, methods=["get"])
    def template(self, request, pk=None):
        return Response(serializers.ExecutionTemplateSerializer(self.get_object()).data)

    @extend_schema(summary="ListTaskExecutions of this execution", parameters=[EXECUTION_ID],
                   responses=serializers.TaskExecutionSerializer(many=True))
    @action(
        detail=True, methods=["get"], url_path="task-executions",
        queryset=TaskExecution.objects.all(),
        filterset_class=filtersets.TaskExecutionFilterSet,
        pagination_class=pagination.RunOrderCursorPagination,
        ordering_fields=TASK_ORDERING,
    )
    def task_executions(self, request, pk=None):
        """The execution's task executions in run order; a loop's items with ``parent_task_execution``."""
        execution = self._execution(pk)
        queryset = self.filter_queryset(TaskExecution.objects.filter(execution=execution))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializers.TaskExecutionSerializer(page, many=True).data)

    @extend_schema(summary="ListExecutionLogs", parameters=[EXECUTION_ID],
                   responses=serializers.ExecutionLogSerializer(many=True))
    @action(
        detail=True, methods=["get"],
        queryset=ExecutionLog.objects.all(),
        filterset_class=filtersets.ExecutionLogFilterSet,
        pagination_class=pagination.LogCursorPagination,
        filter_backends=[DjangoFilterBackend],
    )
    def logs(self, request, pk=None):
        """Log lines oldest first; poll with ``after_id`` (the last id seen) to follow a running execution."""
        execution = self._execution(pk)
        queryset = self.filter_queryset(ExecutionLog.objects.filter(execution=execution))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializers.ExecutionLogSerializer(page, many=True).data)


class TaskExecutionViewSet(ScopedDetailMixin, TenantScopedViewSet):
    """Task executions of every visible execution (filter by ``execution``); read-only."""

    queryset = TaskExecution.objects.all()
    serializer_class = serializers.TaskExecutionSerializer
    filterset_class = filtersets.TaskExecutionFilterSet
    pagination_class = pagination.TaskExecutionCursorPagination
    ordering_fields = TASK_ORDERING
    http_method_names = ["get", "head", "options"]
    lookup_value_regex = r"[^/]+"  # ids contain dots: exec-….t0001


class TimerTriggerViewSet(TenantScopedViewSet):
    """Run a template on a cron expression (UTC) or once at a time, as the trigger's owner.

    The owner is whoever last created or changed the trigger; operators manage triggers.
    """

    queryset = TimerTrigger.objects.standalone().select_related("tenant", "owner")
    serializer_class = serializers.TimerTriggerSerializer
    filterset_class = filtersets.TimerTriggerFilterSet
    ordering_fields = ["name", "created_at", "next_run_at", "last_run_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    run_actions = ("create", "partial_update", "destroy")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return serializers.TimerTriggerUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["tenant"] = self.request_tenant(data.get("tenant"))
        serializer.instance = trigger_service.save_trigger(TimerTrigger(**data, owner=self.request.user))

    def perform_update(self, serializer):
        trigger = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(trigger, field, value)
        trigger.owner = self.request.user
        serializer.instance = trigger_service.save_trigger(trigger)

    def perform_destroy(self, instance):
        trigger_service.delete_trigger(instance)
