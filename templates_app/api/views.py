"""Native API for templates, their versions and analysis, and the action catalog."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.response import Response

from orchestration.actions import all_actions, get_action
from orchestration.api.viewsets import TenantScopedViewSet
from templates_app.api import filtersets, serializers
from templates_app.language import analysis as language_analysis
from templates_app.models import Template
from templates_app.services import analysis
from templates_app.services import templates as service

VERSION_PARAM = OpenApiParameter("version", str, description="Version name such as v2; the newest by default.")


class TemplateViewSet(TenantScopedViewSet):
    """Runbook templates. Operators write them; public (built-in) ones are read-only for all."""

    queryset = Template.objects.select_related("tenant")
    serializer_class = serializers.TemplateSerializer
    filterset_class = filtersets.TemplateFilterSet
    ordering_fields = ["total_execution_count", "popularity", "name", "created_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    run_actions = ("create", "partial_update", "destroy", "validate", "analyse_content")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return serializers.TemplateUpdateSerializer
        if self.action == "list":
            return serializers.TemplateSummarySerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = self.request_tenant(data.get("tenant"))
        template = service.create_template(
            tenant=tenant,
            actor=request.user,
            name=data["name"],
            content=data["content"],
            tags=data.get("tags"),
            version_description=data.get("version_description", ""),
        )
        return Response(self.get_serializer(template).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        template = self.get_object()
        serializer = self.get_serializer(template, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = service.update_template(
            template,
            actor=request.user,
            content=data.get("content"),
            tags=data.get("tags"),
            version_description=data.get("version_description", ""),
        )
        return Response(self.get_serializer(template).data)

    def perform_destroy(self, instance):
        service.delete_template(instance, actor=self.request.user)

    @extend_schema(responses=serializers.TemplateVersionSummarySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        """The template's versions, as a plain list (neither paged nor filtered)."""
        template = self.get_object()
        return Response(serializers.TemplateVersionSummarySerializer(template.versions.all(), many=True).data)

    @extend_schema(responses=serializers.TemplateVersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<version>v\d+)")
    def version(self, request, pk=None, version=None):
        found = service.get_version(self.get_object(), version)
        return Response(serializers.TemplateVersionSerializer(found).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("old", str, required=True, description="Older version, e.g. v1"),
            OpenApiParameter("new", str, description="Newer version; the newest by default"),
        ],
        responses=serializers.DiffSerializer,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        template = self.get_object()
        old = request.query_params.get("old", "")
        new = request.query_params.get("new") or template.version_name
        text = service.diff_versions(template, old, new)
        return Response({"old": old, "new": new, "diff": text})

    @extend_schema(request=serializers.ContentRequestSerializer, responses=serializers.ValidationResultSerializer)
    @action(detail=False, methods=["post"])
    def validate(self, request):
        """ValidateTemplateContent: the parsed template, or every problem with its place."""
        serializer = serializers.ContentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(analysis.validation_report(serializer.validated_data["content"]))

    @extend_schema(parameters=[VERSION_PARAM], responses=serializers.RiskyTasksSerializer)
    @action(detail=True, methods=["get"], url_path="risky-tasks")
    def risky_tasks(self, request, pk=None):
        template = self.get_object()
        parsed = analysis.parsed_version(template, request.query_params.get("version"))
        resolver = analysis.nested_resolver(request.user, template.tenant)
        return Response({"risky_tasks": language_analysis.risky_tasks(parsed, resolver)})

    @extend_schema(parameters=[VERSION_PARAM], responses=serializers.PolicySerializer)
    @action(detail=True, methods=["get"])
    def policy(self, request, pk=None):
        template = self.get_object()
        parsed = analysis.parsed_version(template, request.query_params.get("version"))
        resolver = analysis.nested_resolver(request.user, template.tenant)
        return Response({"policy": language_analysis.execution_policy(parsed, resolver, template.name)})


class ActionViewSet(viewsets.ViewSet):
    """ListActions: the catalog of built-in actions with their property schemas and risk."""

    lookup_value_regex = r"[^/]+"

    @extend_schema(
        parameters=[
            OpenApiParameter("name", str, description="Name contains"),
            OpenApiParameter("type", str, description="ActionType, e.g. Product.VSphere"),
        ],
        responses=serializers.ActionSerializer(many=True),
    )
    def list(self, request):
        name = request.query_params.get("name", "").lower()
        kind = request.query_params.get("type")
        rows = [
            _describe(cls)
            for cls in all_actions()
            if name in cls.name.lower() and (not kind or cls.type == kind)
        ]
        return Response(rows)

    @extend_schema(responses=serializers.ActionSerializer)
    def retrieve(self, request, pk=None):
        cls = get_action(pk)
        if cls is None:
            raise DRFNotFound(f"No action named {pk!r}.")
        return Response(_describe(cls))


def _describe(cls) -> dict:
    return {
        "name": cls.name,
        "type": cls.type,
        "description": cls.description,
        "risk": cls.risk,
        "permissions": list(cls.permissions),
        "properties_schema": cls.properties_schema,
        "popularity": cls.popularity,
    }
