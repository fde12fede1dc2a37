"""The Alibaba OOS RPC endpoint: one view that authenticates, dispatches on ``Action`` and renders."""
from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse

from orchestration import request_limits
from orchestration.availability import is_unavailable, with_retry_after
from orchestration.errors import ServiceError
from orchestration.faces import throttling

# Imported for their @action registrations.
from . import catalog, executions, tags, templates  # noqa: F401
from .auth import authenticate
from .errors import AlibabaError, from_service_error, missing, unavailable
from .params import RpcParams
from .registry import Call, handler_for
from .rendering import render, wants_xml

logger = logging.getLogger(__name__)

API_VERSION = "2019-06-01"


def new_request_id() -> str:
    return str(uuid.uuid4()).upper()


def request_params(request: HttpRequest) -> RpcParams:
    """Query and form parameters together (form wins on a clash), last value of repeated keys.

    The body's size is checked here, before the signature check hashes it.
    """
    request_limits.read_body(request)
    values = {key: request.GET[key] for key in request.GET}
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        form = request_limits.read_form(request)
        values.update({key: form[key] for key in form})
    return RpcParams(values)


def rpc(request: HttpRequest) -> HttpResponse:
    request_id = new_request_id()
    try:
        params = request_params(request)
    except ServiceError as exc:  # a body over the size or field-count limit
        return _error(request, request_id, from_service_error(exc), wants_xml(request.GET.get("Format")))
    except Exception:  # an unreadable body
        params = RpcParams({})
    xml = wants_xml(params.raw("Format"))
    name = request.headers.get("x-acs-action") or params.raw("Action") or ""
    try:
        body = _dispatch(request, params, name, request_id)
    except AlibabaError as exc:
        return _error(request, request_id, exc, xml)
    except ServiceError as exc:
        return _error(request, request_id, from_service_error(exc), xml)
    except Exception as exc:
        if is_unavailable(exc):
            logger.error("Alibaba OOS action %s: service unavailable (request %s): %s", name, request_id, exc)
            return with_retry_after(_error(request, request_id, unavailable(), xml))
        logger.exception("Alibaba OOS action %s failed (request %s)", name, request_id)
        error = AlibabaError("InternalError", "The request processing has failed due to some unknown error.", 500)
        return _error(request, request_id, error, xml)
    return render({"RequestId": request_id, **body}, root=f"{name}Response", xml=xml)


def _dispatch(request: HttpRequest, params: RpcParams, name: str, request_id: str) -> dict:
    if request.method not in ("GET", "POST"):
        raise AlibabaError("UnsupportedHTTPMethod", f"HTTP method {request.method} is not supported; use GET or POST.")
    if not name:
        raise missing("Action")
    handler = handler_for(name)
    if handler is None:
        raise AlibabaError("InvalidAction.NotFound", f"Specified api {name!r} is not found in OOS {API_VERSION}.", 404)
    version = request.headers.get("x-acs-version") or params.raw("Version")
    if version is None:
        raise missing("Version")
    if version != API_VERSION:
        raise AlibabaError(
            "InvalidVersion", f"Specified parameter Version {version!r} is not valid; use {API_VERSION}."
        )
    caller = authenticate(request, params)
    return handler(Call(caller=caller, params=params, request_id=request_id))


def _error(request: HttpRequest, request_id: str, exc: AlibabaError, xml: bool) -> HttpResponse:
    body = {"RequestId": request_id, "HostId": request.get_host(), "Code": exc.code, "Message": exc.message}
    response = throttling.with_retry_after(render(body, root="Error", xml=xml, status=exc.status), exc.retry_after)
    if exc.retry_after:
        response["x-acs-retry-after"] = str(exc.retry_after * 1000)
    return response
