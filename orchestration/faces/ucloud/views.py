"""The UCloud-style action API: ``POST /`` with ``Action``, ``PublicKey``, ``Signature``.

Form-encoded (as ``ucloud-sdk-python3`` sends it) or a JSON body. Success is
``{"RetCode": 0, "Action": "<Action>Response", …}``; errors are in ``errors.py``.
The caller acts as the access key's owner in the key's tenant; ``CompanyID``, when
given, must be that tenant.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from orchestration import request_limits
from orchestration.availability import is_unavailable, with_retry_after
from orchestration.errors import ServiceError
from orchestration.faces.credentials import Caller
from orchestration.models import Face, Scope
from orchestration.services import audit

from . import actions, signing
from .auth import authenticate
from .errors import UCloudError, from_service_error, invalid, missing, unavailable
from .params import UParams

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-UCLOUD-REQUEST-UUID"
# The actions that change something, and so are written to the audit trail.
STATE_CHANGING = frozenset({"CreateOrchTask", "UpdateOrchTask", "DeleteOrchTask", "OperateOrchTask"})


def _values(request: HttpRequest) -> tuple[dict, dict[str, str]]:
    """The parameters (typed, for reading) and their flat string form (for the signature)."""
    if request.content_type == "application/json":
        try:
            body = request_limits.loads(request_limits.read_body(request) or b"{}")
        except ValueError as exc:
            raise UCloudError(230, f"Params not available: the body is not valid JSON ({exc})") from None
        if not isinstance(body, dict):
            raise UCloudError(230, "Params not available: the JSON body must be an object")
        values = {**{k: request.GET[k] for k in request.GET}, **body}
        return values, signing.flatten(values)
    values = {k: request.GET[k] for k in request.GET}
    if request.method == "POST":
        form = request_limits.read_form(request)
        values.update({k: form[k] for k in form})
    return values, dict(values)


def action_name(request: HttpRequest) -> str:
    """The Action to name in the response, or "" when the parameters cannot be read (the error says why)."""
    try:
        values, _ = _values(request)
    except (UCloudError, ServiceError):
        return ""
    action = values.get("Action", "")
    return action if isinstance(action, str) else ""


def endpoint(request: HttpRequest) -> HttpResponse:
    request_id = str(uuid.uuid4())
    name = action_name(request)
    call: tuple[Caller, UParams] | None = None
    body: dict = {}
    error: UCloudError | None = None
    unavailable_now = False
    try:
        handler, caller, params = _authorised_call(request)
        call = caller, params
        body = handler(caller, params)
    except UCloudError as exc:
        error = exc
    except ServiceError as exc:
        error = from_service_error(exc)
    except Exception as exc:
        if is_unavailable(exc):
            logger.error("UCloud-style action %s: service unavailable (request %s): %s", name, request_id, exc)
            error, unavailable_now = unavailable(), True
        else:
            logger.exception("UCloud-style action %s failed (request %s)", name, request_id)
            error = UCloudError(150, "Service temporarily unavailable: the request failed unexpectedly "
                                     f"(request {request_id}).")
    if name in STATE_CHANGING:
        _audit(request, name, call, body, error, request_id)
    if error is None:
        return _answer({"RetCode": 0, "Action": f"{name}Response", **body}, request_id)
    response = _error(name, error, request_id)
    if unavailable_now:
        response.status_code = 503  # the one UCloud error not answered with HTTP 200
    return response


def _audit(request: HttpRequest, name: str, call: tuple[Caller, UParams] | None, body: dict,
           error: UCloudError | None, request_id: str) -> None:
    """One audit event for the call; an ``OperateOrchTask`` is named with its ``Operation``."""
    caller, params = call if call else (None, None)
    values = params.values if params else {}
    operation = values.get("Operation")
    task_id = values.get("TaskID") or body.get("TaskID") or ""
    audit.record(
        face=Face.UCLOUD, action=f"{name}.{operation}" if isinstance(operation, str) and operation else name,
        ok=error is None, request=request, user=caller.user if caller else None,
        access_key_id=caller.key.pk if caller else "", tenant_id=caller.tenant.pk if caller else None,
        object_type="orchtask" if task_id else "", object_id=str(task_id),
        error_code=str(error.ret_code) if error else "", request_id=request_id,
    )


def _answer(body: dict, request_id: str) -> HttpResponse:
    """A response carrying its request id where ucloud-sdk-python3 reads it (and logs it)."""
    response = JsonResponse(body)
    response[REQUEST_ID_HEADER] = request_id
    return response


def _error(name: str, exc: UCloudError, request_id: str) -> HttpResponse:
    response = _answer({"RetCode": exc.ret_code, "Action": f"{name or 'Unknown'}Response", "Message": exc.message},
                       request_id)
    return with_retry_after(response, exc.retry_after)


def _authorised_call(request: HttpRequest) -> tuple[Callable[[Caller, UParams], dict], Caller, UParams]:
    """The action's handler, the signed caller and the parameters; raises for a bad action or signature."""
    if request.method != "POST" and not request.GET:
        raise UCloudError(161, "Missing Action")
    values, flat = _values(request)
    params = UParams(values)
    name = params.str("Action")
    if not name:
        raise UCloudError(161, "Missing Action")
    handler = actions.HANDLERS.get(name)
    if handler is None:
        raise UCloudError(160, f"Action [{name}] not found; this service answers {', '.join(actions.HANDLERS)}")
    caller = authenticate(name, params, flat)
    company = params.int("CompanyID", required=name in actions.COMPANY_REQUIRED)
    if company is not None and company != caller.tenant.pk:
        raise UCloudError(174, f"Permission denied: CompanyID {company} is not the tenant of access key "
                               f"{caller.key.pk} ({caller.tenant.pk})")
    caller.require(Scope.VIEW)
    return handler, caller, params


__all__ = ["endpoint", "missing", "invalid"]
