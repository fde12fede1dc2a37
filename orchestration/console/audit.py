"""The console's one audit hook: every state-changing POST, named by its URL name.

A middleware rather than a decorator on each view, so a new console form cannot be
added without its trail. The result is the answer's status: the console answers a
refused or invalid form with 4xx and a done one with a redirect.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlparse

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from orchestration.console import selection
from orchestration.models import Face
from orchestration.services import audit

# POSTs that change nothing of the domain: signing in and out, picking a tenant, checking a draft.
NOT_AUDITED = frozenset({"login", "logout", "switch", "template-validate"})
# URL arguments that name the object a page acts on, and its type in the trail.
OBJECT_ARGUMENTS = {"execution_id": "execution", "trigger_id": "timer_trigger", "template_id": "template",
                    "task_id": "orchtask", "vcenter_id": "vcenter", "parameter_id": "parameter",
                    "event_trigger_id": "event_trigger"}


class ConsoleAuditMiddleware:
    """Records a console POST after its view answered (so with its result)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if (request.method == "POST" and match is not None and match.namespace == "console"
                and match.url_name not in NOT_AUDITED and request.user.is_authenticated):
            _record(request, response, match.url_name, match.kwargs)
        return response


def _record(request: HttpRequest, response: HttpResponse, url_name: str, kwargs: dict) -> None:
    button = request.POST.get("action", "")
    object_type, object_id = _target(kwargs) or _target(_redirect_kwargs(response)) or ("", "")
    ok = response.status_code < 400
    audit.record(
        face=Face.CONSOLE, action=f"{url_name}.{button}" if button else url_name, ok=ok, request=request,
        user=request.user, tenant_id=_tenant_id(request), object_type=object_type, object_id=object_id,
        error_code="" if ok else str(response.status_code),
    )


def _target(kwargs: dict) -> tuple[str, str] | None:
    for argument, object_type in OBJECT_ARGUMENTS.items():
        if kwargs.get(argument):
            return object_type, str(kwargs[argument])
    return None


def _redirect_kwargs(response: HttpResponse) -> dict:
    """A create form redirects to the new object's page: its URL names the object."""
    location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
    try:
        return resolve(urlparse(location).path).kwargs if location else {}
    except Resolver404:
        return {}


def _tenant_id(request: HttpRequest) -> int | None:
    """The console acts in the selected tenant (every view scopes to it)."""
    tenant = selection.current(request).tenant
    return tenant.pk if tenant is not None else None
