"""One error body for the native API: ``{"code": …, "message": …, "detail": …}``.

``code`` is a stable machine-readable word, ``message`` one human sentence, ``detail``
the structured specifics (field errors for 400s, otherwise usually null).
"""
from __future__ import annotations

import logging
import sys
import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from orchestration.availability import is_unavailable
from orchestration.errors import ServiceError
from orchestration.middleware import unavailable_response
from orchestration.request_limits import BodyTooLarge, max_body_bytes

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def error_body(code: str, message: str, detail=None) -> dict:
    return {"code": code, "message": message, "detail": detail}


class ErrorSerializer(serializers.Serializer):
    """The body of every error response of the native API (built by ``error_body``; the schema's ``Error``)."""

    code = serializers.CharField(help_text="Stable machine-readable word, e.g. invalid, not_found, conflict.")
    message = serializers.CharField(help_text="One human sentence.")
    detail = serializers.JSONField(allow_null=True, help_text="Structured specifics: field errors for a 400, "
                                                              "otherwise usually null.")


def _first_message(detail) -> str:
    """A readable one-liner from DRF's nested error detail."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _first_message(value)
            return inner if field in ("non_field_errors", "detail") else f"{field}: {inner}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def exception_handler(exc, context):
    if is_unavailable(exc):
        return unavailable_response(context["request"], exc)
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(max_body_bytes())
    if isinstance(exc, ServiceError):
        return Response(
            error_body(exc.kind, exc.message, _service_detail(exc)),
            status=exc.http_status,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        exc = Conflict("The object conflicts with an existing one (a unique value is already taken).")
    elif isinstance(exc, DataError):
        exc = _refused_value(exc)

    response = drf_exception_handler(exc, context)
    if response is None:
        request_id = str(uuid.uuid4())
        logger.error("Unhandled error in API view (request %s)", request_id, exc_info=exc)
        return Response(
            error_body("server_error", f"The server failed to handle the request; it has been logged as request "
                                       f"{request_id}.", {"request_id": request_id}),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
            headers={"X-Request-Id": request_id},
        )

    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _first_message(exc.detail), exc.detail)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        detail = exc.detail if isinstance(exc, exceptions.APIException) else None
        message = _first_message(detail) if detail is not None else str(exc)
        body = error_body(code, message, None)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["detail"] = {"retry_after_seconds": int(exc.wait)}
    response.data = body
    return response


def _refused_value(exc: DataError) -> exceptions.ValidationError:
    """A value the database cannot store or compare (out of range, a NUL character, a time zone offset
    PostgreSQL does not know) came from the request; it is bad input, a 400, not a server error."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "a value is out of range"
    return exceptions.ValidationError({"non_field_errors": [f"The database refused a value of the request: {reason}"]})


def _service_detail(exc: ServiceError):
    detail = {"error": exc.code}
    if exc.place:
        detail["place"] = exc.place
    if exc.detail is not None:
        detail["problems"] = exc.detail
    return detail


def json_error_view(status_code: int, code: str, message: str):
    """Django-level handler (404/500 outside DRF views) that keeps the API's body shape under /api/."""

    def view(request, exception=None):
        raised = sys.exc_info()[1]
        if status_code == 500 and raised is not None and is_unavailable(raised):
            return unavailable_response(request, raised)
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(code, message), status=status_code)
        from django.views import defaults

        if status_code == 404:
            return defaults.page_not_found(request, exception)
        return defaults.server_error(request)

    return view
