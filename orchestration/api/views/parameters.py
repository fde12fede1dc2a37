"""Parameters (``{{ oos:Name }}``) and secret parameters (``{{ oos-secret:Name }}``).

Every rule is :mod:`orchestration.services.parameters`'; a secret's value is answered only
by ``GET …/secret-parameters/{id}/?with_decryption=true``, to a tenant admin, audited.
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from orchestration.api.filtersets.parameters import ParameterFilterSet
from orchestration.api.serializers.parameters import (
    ParameterCreateSerializer,
    ParameterSerializer,
    ParameterUpdateSerializer,
    ParameterValueSerializer,
)
from orchestration.api.viewsets import TenantScopedViewSet
from orchestration.models import Face, Parameter
from orchestration.services import parameters as service

from .executions import ScopedDetailMixin

VERSION = OpenApiParameter("version", OpenApiTypes.INT, description="A version number (default: the newest).")
DECRYPT = OpenApiParameter("with_decryption", OpenApiTypes.BOOL,
                           description="Answer the secret's value (tenant admins only; audited).")


class _ParameterViewSet(ScopedDetailMixin, TenantScopedViewSet):
    secret = False
    serializer_class = ParameterSerializer
    filterset_class = ParameterFilterSet
    ordering_fields = ["name", "created_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    run_actions = ("create", "partial_update", "destroy")

    def get_queryset(self):
        return super().get_queryset().filter(secret=self.secret)

    def _version(self) -> int | None:
        raw = self.request.query_params.get("version")
        if raw in (None, ""):
            return None
        if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
            raise ValidationError({"version": ["A whole number from 1."]})
        return int(raw)

    def _value(self, parameter: Parameter, version: int | None) -> str | None:
        if not self.secret:
            return service.plain_value(parameter, version)
        if self.request.query_params.get("with_decryption", "").lower() not in ("true", "1"):
            return None
        return service.decrypted_value(parameter, actor=self.request.user, face=Face.NATIVE, version=version,
                                       request=self.request)

    def retrieve(self, request, *args, **kwargs):
        parameter = self.get_object()
        version = self._version()
        value = self._value(parameter, version)
        data = ParameterSerializer(parameter, context=self.get_serializer_context()).data
        data["version"] = service.version_of(parameter, version).version
        if value is not None:
            data["value"] = value
        return Response(data)

    def create(self, request, *args, **kwargs):
        serializer = ParameterCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parameter = service.create(
            tenant=self.request_tenant(data.get("tenant")), actor=request.user, name=data["name"],
            value=data["value"], secret=self.secret, type=data.get("type"),
            description=data.get("description"), constraints=data.get("constraints"),
        )
        return Response(ParameterSerializer(parameter, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        parameter = self.get_object()
        serializer = ParameterUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parameter = service.update(parameter, actor=request.user, value=data.get("value"),
                                   description=data.get("description"))
        return Response(ParameterSerializer(parameter, context=self.get_serializer_context()).data)

    def perform_destroy(self, instance):
        service.delete(instance, actor=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="ListParameters"),
    retrieve=extend_schema(summary="GetParameter", parameters=[VERSION], responses=ParameterValueSerializer),
    create=extend_schema(summary="CreateParameter", request=ParameterCreateSerializer,
                         responses={201: ParameterSerializer}),
    partial_update=extend_schema(summary="UpdateParameter", request=ParameterUpdateSerializer,
                                 responses=ParameterSerializer),
    destroy=extend_schema(summary="DeleteParameter"),
)
class ParameterViewSet(_ParameterViewSet):
    """Tenant parameters, read in templates as ``{{ oos:Name }}``."""

    queryset = Parameter.objects.select_related("tenant")


@extend_schema_view(
    list=extend_schema(summary="ListSecretParameters"),
    retrieve=extend_schema(summary="GetSecretParameter", parameters=[VERSION, DECRYPT],
                           responses=ParameterValueSerializer),
    create=extend_schema(summary="CreateSecretParameter", request=ParameterCreateSerializer,
                         responses={201: ParameterSerializer}),
    partial_update=extend_schema(summary="UpdateSecretParameter", request=ParameterUpdateSerializer,
                                 responses=ParameterSerializer),
    destroy=extend_schema(summary="DeleteSecretParameter"),
)
class SecretParameterViewSet(_ParameterViewSet):
    """Secret parameters, read in templates as ``{{ oos-secret:Name }}``; their values are write-only."""

    secret = True
    queryset = Parameter.objects.select_related("tenant")
