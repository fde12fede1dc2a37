"""The Alibaba OOS RPC endpoint: one view that authenticates, dispatches on ``Action`` and renders."""
from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse

from orchestration import request_limits
from orchestration.availability import is_unavailable, with_retry_after
from orchestration.errors import ServiceError
from orchestration.models import Face
from orchestration.services import audit

# Imported for their @action registrations.
from . import catalog, executions, parameters, tags, templates  # noqa: F401
from .auth import authenticate
from .errors import AlibabaError, from_service_error, missing, unavailable
from .params import RpcParams
from .registry import Call, Handler, handler_for
from .rendering import render, wants_xml

logger = logging.getLogger(__name__)

API_VERSION = "2019-06-01"
# Actions that only read; every other known action is written to the audit trail.
READ_ONLY_PREFIXES = ("List", "Get", "Describe", "Check", "Validate", "Generate")
# Parameters naming the object an action is about, most specific first.
OBJECT_PARAMETERS = (("ExecutionId", "execution"), ("ExecutionIds", "execution"), ("TemplateName", "template"),
                     ("ResourceIds", "resource"), ("Name", "parameter"))
# Objects an answer names (a started execution, a created template): the call's object, when there is one.
ANSWERED_OBJECTS = (("Execution", "execution", "ExecutionId"), ("Template", "template", "TemplateId"))


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
    call: Call | None = None
    body: dict = {}
    error: AlibabaError | None = None
    try:
        handler, call = _authorised_call(request, params, name, request_id)
        body = handler(call)
    except AlibabaError as exc:
        error = exc
    except ServiceError as exc:
        error = from_service_error(exc)
    except Exception as exc:
        if is_unavailable(exc):
            logger.error("Alibaba OOS action %s: service unavailable (request %s): %s", name, request_id, exc)
            error = unavailable()
        else:
            logger.exception("Alibaba OOS action %s failed (request %s)", name, request_id)
            error = AlibabaError("InternalError", "The request processing has failed due to some unknown error.", 500)
    if is_state_changing(name):
        _audit(request, name, params, call, body, error, request_id)
    if error is None:
        return render({"RequestId": request_id, **body}, root=f"{name}Response", xml=xml)
    return _error(request, request_id, error, xml)


def is_state_changing(name: str) -> bool:
    """Whether ``Action`` is a known action that may change something (what the audit trail records)."""
    return handler_for(name) is not None and not name.startswith(READ_ONLY_PREFIXES)


def _audit(request: HttpRequest, name: str, params: RpcParams, call: Call | None, body: dict,
           error: AlibabaError | None, request_id: str) -> None:
    """One audit event for the call; before authentication the caller is unknown (no tenant)."""
    object_type, object_id = _audited_object(params, body)
    audit.record(
        face=Face.ALIBABA, action=name, ok=error is None, request=request,
        user=call.caller.user if call else None, access_key_id=call.caller.key.pk if call else "",
        tenant_id=call.caller.tenant.pk if call else None, object_type=object_type, object_id=object_id,
        error_code=error.code if error else "", request_id=request_id,
    )


def _audited_object(params: RpcParams, body: dict) -> tuple[str, str]:
    """What the action was about: the object the answer names (a started execution), else the first parameter."""
    for field, object_type, id_field in ANSWERED_OBJECTS:
        found = body.get(field)
        if isinstance(found, dict) and found.get(id_field):
            return object_type, str(found[id_field])
    for parameter, object_type in OBJECT_PARAMETERS:
        value = params.raw(parameter)
        if value:
            return object_type, value
    return "", ""


def _authorised_call(request: HttpRequest, params: RpcParams, name: str, request_id: str) -> tuple[Handler, Call]:
    """The action's handler and the signed call to give it; raises for a bad method, action, version or signature."""
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
    return handler, Call(caller=caller, params=params, request_id=request_id)


def _error(request: HttpRequest, request_id: str, exc: AlibabaError, xml: bool) -> HttpResponse:
    body = {"RequestId": request_id, "HostId": request.get_host(), "Code": exc.code, "Message": exc.message}
    response = with_retry_after(render(body, root="Error", xml=xml, status=exc.status), exc.retry_after)
    if exc.retry_after:
        response["x-acs-retry-after"] = str(exc.retry_after * 1000)
    return response
