"""Answering an outage of the database or the broker with 503, wherever it surfaces.

The API faces answer it in their own envelopes from their own error handling; this
middleware covers everything else — the console, the admin, and failures outside a
view (a session saved after the response was built) via ``handler500`` — with a short
"temporarily unavailable" page or the native JSON body, never a traceback. The page is
standalone: the console's layout reads the database, which is what is missing.
"""
from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from orchestration.availability import UNAVAILABLE_MESSAGE, is_unavailable, retry_after_seconds, with_retry_after

logger = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/v1/")


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 with ``Retry-After``: the native JSON body under the APIs, a page elsewhere."""
    logger.error("%s %s: service unavailable (%s: %s)", request.method, request.path, type(exc).__name__,
                 str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    if request.path.startswith(JSON_PREFIXES):
        response: HttpResponse = JsonResponse(
            {"code": "service_unavailable", "message": UNAVAILABLE_MESSAGE, "detail": None}, status=503
        )
    else:
        response = HttpResponse(render_to_string("outage.html", {"retry_after": retry_after_seconds()}), status=503)
    return with_retry_after(response, retry_after_seconds())


class UnavailableMiddleware:
    """Turns an unreachable database or broker raised by a view into :func:`unavailable_response`."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_unavailable(exception):
            return unavailable_response(request, exception)
        return None
