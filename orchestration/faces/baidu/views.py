"""Baidu OOS endpoints under ``/api/logic/oos``: templates and operators (executions: ``executions``).

Each endpoint is a plain function ``(call) -> result``; :func:`endpoint` wraps it with
authentication, JSON parsing and the ``{success, msg, code, result}`` envelope.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from orchestration import request_limits, wire_parameters
from orchestration.actions import all_actions
from orchestration.availability import is_unavailable, with_retry_after
from orchestration.errors import InvalidParameter, ServiceError
from orchestration.faces.credentials import Caller
from orchestration.models import Face, Scope
from orchestration.services import audit
from templates_app.language.baidu import from_baidu
from templates_app.models import Template
from templates_app.services import analysis
from templates_app.services import templates as service
from templates_app.services.template_queries import TemplateFilter, filter_templates

from .auth import authenticate
from .errors import BaiduError, from_service_error, unavailable
from .shapes import baidu_template, operator

logger = logging.getLogger(__name__)

SORT_FIELDS = {"createTime": "created_at", "updateTime": "updated_at", "name": "name"}
MAX_PAGE_SIZE = 100
# Handlers (by function name) that only read; every other one is written to the audit trail.
READ_ONLY_PREFIXES = ("get_", "list_", "check_")


@dataclass(frozen=True)
class Call:
    caller: Caller
    request: HttpRequest
    body: dict[str, Any]

    def query(self, name: str) -> str:
        """A required query-string parameter."""
        return wire_parameters.text(self.request.GET.get(name), name, required=True)


Handler = Callable[[Call], Any]


def envelope(result: Any) -> dict[str, Any]:
    return {"success": True, "msg": "", "code": 200, "result": result}


def endpoint(**handlers: Handler) -> Callable[[HttpRequest], HttpResponse]:
    """One URL answering each HTTP method (``POST=…, GET=…``) with its handler."""

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        handler = handlers.get(request.method)
        caller: Caller | None = None
        result: Any = None
        error: BaiduError | None = None
        try:
            if handler is None:
                raise BaiduError("MethodNotAllowed", f"{request.method} is not supported here.", 405)
            caller = authenticate(request)
            result = handler(Call(caller=caller, request=request, body=_json_body(request)))
        except BaiduError as exc:
            error = exc
        except ServiceError as exc:
            error = from_service_error(exc)
        except Exception as exc:
            if is_unavailable(exc):
                logger.error("Baidu OOS %s %s: service unavailable (request %s): %s", request.method,
                             request.path, request_id, exc)
                error = unavailable()
            else:
                logger.exception("Baidu OOS %s %s failed (request %s)", request.method, request.path, request_id)
                error = BaiduError("InternalError", "The server failed to handle the request.", 500)
        if handler is not None and not handler.__name__.startswith(READ_ONLY_PREFIXES):
            _audit(request, handler, caller, result, error, request_id)
        if error is not None:
            return _error(error, request_id)
        response = JsonResponse(envelope(result))
        response["x-bce-request-id"] = request_id
        return response

    view.handlers = handlers  # the methods this URL answers, read by the isolation matrix
    return view


def _audit(request: HttpRequest, handler: Handler, caller: Caller | None, result: Any,
           error: BaiduError | None, request_id: str) -> None:
    """One audit event, named by the handler (``create_template``, ``create_execution``…)."""
    object_type = handler.__name__.partition("_")[2]
    object_id = request.GET.get("id", "")
    if not object_id and isinstance(result, dict):
        object_id = str(result.get("id") or result.get("executionId") or "")
    audit.record(
        face=Face.BAIDU, action=handler.__name__, ok=error is None, request=request,
        user=caller.user if caller else None, access_key_id=caller.key.pk if caller else "",
        tenant_id=caller.tenant.pk if caller else None, object_type=object_type, object_id=object_id,
        error_code=error.code if error else "", request_id=request_id,
    )


def _json_body(request: HttpRequest) -> dict[str, Any]:
    """The JSON object of the body, within the size (413) and nesting (400) limits of every face."""
    data = request_limits.read_body(request)
    if not data:
        return {}
    try:
        body = request_limits.loads(data)
    except ValueError as exc:
        raise BaiduError("MalformedJSON", f"The request body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        raise BaiduError("MalformedJSON", "The request body must be a JSON object.")
    return body


def _error(exc: BaiduError, request_id: str) -> HttpResponse:
    body = {"success": False, "msg": exc.message, "code": exc.code, "result": None,
            "message": exc.message, "requestId": request_id}
    response = with_retry_after(JsonResponse(body, status=exc.status), exc.retry_after)
    response["x-bce-request-id"] = request_id
    return response


def _page(body: dict[str, Any]) -> tuple[int, int]:
    return (wire_parameters.page_number(body.get("pageNo"), "pageNo", first=1),
            wire_parameters.page_size(body.get("pageSize"), "pageSize", maximum=MAX_PAGE_SIZE, default=10))


def _internal(body: dict[str, Any]) -> dict[str, Any]:
    """The internal content for a Baidu template body (without the id the update call carries)."""
    if not isinstance(body.get("operators"), list) or not body["operators"]:
        raise InvalidParameter("operators", "a template needs a non-empty list of operators")
    return from_baidu({k: v for k, v in body.items() if k != "id"})


def _name(body: dict[str, Any]) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidParameter("name", "the template name is required")
    return name


def create_template(call: Call) -> dict[str, Any]:
    template = service.create_template(
        tenant=call.caller.tenant, actor=call.caller.user, name=_name(call.body),
        content=_internal(call.body),
    )
    return {"id": template.pk}


def update_template(call: Call) -> dict[str, Any]:
    ref = call.body.get("id") or _name(call.body)
    template = service.find_template(call.caller.user, ref, tenant=call.caller.tenant, scope=Scope.RUN)
    if call.body.get("name") not in (None, template.name):
        raise InvalidParameter("name", "a template cannot be renamed; create a new one")
    template = service.update_template(template, actor=call.caller.user, content=_internal(call.body))
    return {"id": template.pk}


def delete_template(call: Call) -> None:
    template = service.find_template(call.caller.user, call.query("id"), tenant=call.caller.tenant, scope=Scope.RUN)
    service.delete_template(template, actor=call.caller.user)
    return None


def get_template(call: Call) -> dict[str, Any]:
    ref = call.request.GET.get("name") or call.query("id")
    return baidu_template(service.find_template(call.caller.user, ref, tenant=call.caller.tenant))


def check_template(call: Call) -> dict[str, Any]:
    report = analysis.validation_report(_internal(call.body))
    if not report["valid"]:
        problems = "; ".join(f"{p['place']}: {p['message']}" if p["place"] else p["message"]
                             for p in report["problems"])
        raise BaiduError("InvalidTemplate", f"The template is invalid: {problems}")
    return {"valid": True}


def list_templates(call: Call) -> dict[str, Any]:
    page_no, page_size = _page(call.body)
    sort = wire_parameters.text(call.body.get("sort"), "sort", default="createTime", choices=tuple(SORT_FIELDS))
    field = F(SORT_FIELDS[sort])
    name = call.body.get("name")
    spec = TemplateFilter(tenant=call.caller.tenant, with_public=True,
                          name=name if isinstance(name, str) and name else None)
    rows = filter_templates(Template.objects.for_user(call.caller.user, Scope.VIEW), spec)
    rows = rows.order_by(field.asc() if call.body.get("ascending") is True else field.desc(), "pk")
    total = rows.count()
    items = rows[(page_no - 1) * page_size : page_no * page_size]
    return {
        "templates": [baidu_template(t) for t in items],
        "pageNo": page_no,
        "pageSize": page_size,
        "totalCount": total,
    }


def list_operators(call: Call) -> dict[str, Any]:
    page_no, page_size = _page(call.body)
    actions = all_actions()
    chosen = actions[(page_no - 1) * page_size : page_no * page_size]
    return {
        "operators": [operator(cls) for cls in chosen],
        "pageNo": page_no,
        "pageSize": page_size,
        "totalCount": len(actions),
    }


template = endpoint(POST=create_template, PUT=update_template, DELETE=delete_template, GET=get_template)
template_check = endpoint(POST=check_template)
template_list = endpoint(POST=list_templates)
operator_list = endpoint(POST=list_operators)
