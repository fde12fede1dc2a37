"""The UCloud-style action API (seed 000): ``POST /`` with ``Action``, ``PublicKey``, ``Signature``.

Form-encoded (as ``ucloud-sdk-python3`` sends it) or a JSON body. Success is
``{"RetCode": 0, "Action": "<Action>Response", …}``; errors are in ``errors.py``.
The caller acts as the access key's owner in the key's tenant; ``CompanyID``, when
given, must be that tenant.
"""
from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse

from orchestration.errors import ServiceError
from orchestration.faces import throttling
from orchestration.models import Scope

from . import actions, signing
from .auth import authenticate
from .errors import UCloudError, from_service_error, invalid, missing
from .params import UParams

logger = logging.getLogger(__name__)


def _values(request: HttpRequest) -> tuple[dict, dict[str, str]]:
    """The parameters (typed, for reading) and their flat string form (for the signature)."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise UCloudError(230, "Params not available: the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise UCloudError(230, "Params not available: the JSON body must be an object")
        values = {**{k: request.GET[k] for k in request.GET}, **body}
        return values, signing.flatten(values)
    values = {k: request.GET[k] for k in request.GET}
    if request.method == "POST":
        values.update({k: request.POST[k] for k in request.POST})
    return values, dict(values)


def action_name(request: HttpRequest) -> str:
    try:
        values, _ = _values(request)
    except UCloudError:
        return ""
    action = values.get("Action", "")
    return action if isinstance(action, str) else ""


def endpoint(request: HttpRequest) -> HttpResponse:
    name = action_name(request)
    try:
        body = _dispatch(request)
    except UCloudError as exc:
        return _error(name, exc)
    except ServiceError as exc:
        return _error(name, from_service_error(exc))
    except Exception:
        logger.exception("UCloud-style action %s failed", name)
        return _error(name, UCloudError(150, "Service temporarily unavailable: the request failed unexpectedly."))
    return JsonResponse({"RetCode": 0, "Action": f"{name}Response", **body})


def _error(name: str, exc: UCloudError) -> HttpResponse:
    response = JsonResponse({"RetCode": exc.ret_code, "Action": f"{name or 'Unknown'}Response", "Message": exc.message})
    return throttling.with_retry_after(response, exc.retry_after)


def _dispatch(request: HttpRequest) -> dict:
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
    return handler(caller, params)


__all__ = ["endpoint", "missing", "invalid"]
