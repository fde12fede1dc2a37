"""The base viewset every native API endpoint builds on.

It applies ``Model.objects.for_user(user, VIEW)`` once, so every list and detail view is
tenant-scoped: another tenant's object is simply not found (404). Writes additionally
need the role the action requires (see :mod:`orchestration.api.permissions`), and are
written to the audit trail (:class:`AuditedMixin`).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import permissions, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from orchestration.api.permissions import required_scope
from orchestration.authorization import allows
from orchestration.models import Face, Scope, Tenant
from orchestration.services import audit


class AuditedMixin:
    """Writes every unsafe call (POST, PUT, PATCH, DELETE, ``@action`` routes too) to the audit trail.

    The tenant of the target object is looked up before the call runs (a deleted object
    has none after), in the caller's scoped queryset, so a probe at another tenant's id
    is not filed in that tenant's trail.
    """

    _audit_tenant_id: int | None = None

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        finally:
            if request.method not in permissions.SAFE_METHODS:
                self._audit_tenant_id = self._target_tenant_id()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS:
            self._audit(request, response)
        return response

    def _lookup_value(self) -> str:
        return str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))

    def _target_tenant_id(self) -> int | None:
        """The one tenant of the object in the URL that the caller can see, if there is one."""
        pk = self._lookup_value()
        lookup = getattr(getattr(self, "queryset", None), "model", None)
        lookup = getattr(lookup, "tenant_lookup", None)
        if not pk or lookup is None:
            return None
        try:
            rows = self.get_queryset().filter(pk=pk).values(lookup)
            found = list(Tenant.objects.for_user(self.request.user, Scope.VIEW).filter(pk__in=rows)
                         .values_list("pk", flat=True)[:2])
        except (TypeError, ValueError, DjangoValidationError, DataError):
            return None  # an id that cannot name a row (the view answers 404 for it, as DRF does)
        return found[0] if len(found) == 1 else None

    def _created_tenant_id(self, request, data) -> int | None:
        """For calls without an object in the URL: the tenant answered or asked for, or the caller's only one."""
        try:
            sent = request.data
        except Exception:  # a body that did not parse: the call failed for that, and says so
            sent = None
        for source in (data, sent):
            value = source.get("tenant") if isinstance(source, dict) else None
            if isinstance(value, int | str) and str(value).isdigit():
                return Tenant.objects.for_user(request.user, Scope.VIEW).filter(pk=int(value)).values_list(
                    "pk", flat=True).first()
        only = list(Tenant.objects.for_user(request.user, Scope.VIEW).values_list("pk", flat=True)[:2])
        return only[0] if len(only) == 1 else None

    def _audit(self, request, response) -> None:
        data = getattr(response, "data", None)
        ok = response.status_code < 400
        object_id = self._lookup_value() or (str(data.get("id", "")) if ok and isinstance(data, dict) else "")
        model = getattr(getattr(self, "queryset", None), "model", None)
        tenant_id = self._audit_tenant_id
        if tenant_id is None and not self._lookup_value():
            tenant_id = self._created_tenant_id(request, data)
        error_code = ""
        if not ok:
            error_code = str(data.get("code") if isinstance(data, dict) and data.get("code") else response.status_code)
        audit.record(
            face=Face.NATIVE, action=f"{self.basename}.{self.action or request.method.lower()}", ok=ok,
            request=request, user=request.user, tenant_id=tenant_id,
            object_type=model._meta.model_name if model is not None else self.basename, object_id=object_id,
            error_code=error_code, request_id=response.headers.get("X-Request-Id", ""),
        )


class TenantScopedViewSet(AuditedMixin, viewsets.ModelViewSet):
    """Three-line viewsets: set ``queryset``, ``serializer_class`` and ``filterset_class``."""

    run_actions: tuple[str, ...] = ()

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, Scope.VIEW)

    def check_tenant_scope(self, tenant: Tenant) -> None:
        """Creating or moving an object into ``tenant`` needs the action's role there."""
        if not allows(self.request.user, tenant, required_scope(self)):
            raise PermissionDenied(f"Your role in tenant {tenant.pk} does not allow this operation.")

    def request_tenant(self, tenant: Tenant | None) -> Tenant:
        """The tenant a new object goes to: the one given, or the caller's only tenant.

        "Only" counts the tenants where the caller's role allows the action; a caller with
        no such tenant but a single one to look at gets that one, and so a clear 403.
        """
        if tenant is None:
            user = self.request.user
            candidates = list(Tenant.objects.for_user(user, required_scope(self))[:2]) or list(
                Tenant.objects.for_user(user, Scope.VIEW)[:2]
            )
            if len(candidates) != 1:
                raise ValidationError({"tenant": ["This field is required (you belong to several tenants)."]})
            tenant = candidates[0]
        self.check_tenant_scope(tenant)
        return tenant

    def perform_create(self, serializer):
        tenant = serializer.validated_data.get("tenant")
        if tenant is not None:
            self.check_tenant_scope(tenant)
        serializer.save()

    def perform_update(self, serializer):
        tenant = serializer.validated_data.get("tenant")
        if tenant is not None:
            self.check_tenant_scope(tenant)
        serializer.save()
