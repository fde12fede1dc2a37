"""Service errors as console pages.

Services raise :class:`orchestration.errors.ServiceError`; a console view that does not
handle one itself (forms do, to show it beside the field) gets it rendered here as a
page with the matching status, in the console's look rather than the API's JSON.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from orchestration.console.pages import render_page
from orchestration.errors import ServiceError


def service_errors(active: str) -> Callable:
    """Decorate a view so a ``ServiceError`` becomes an error page under nav entry ``active``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except ServiceError as exc:
                return render_page(
                    request, "console/error.html", {"error": exc}, active=active, status=exc.http_status
                )

        return wrapper

    return decorate
