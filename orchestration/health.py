"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database and broker reachable).

Load balancers and orchestrators poll these without credentials; they reveal nothing
but which dependency is unreachable.
"""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from orchestration.availability import UNAVAILABLE_ERRORS, drop_connections, retry_after_seconds, with_retry_after


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except UNAVAILABLE_ERRORS:
        drop_connections()
        return False


def _broker_reachable() -> bool:
    """The Redis broker when one is configured; the ORM broker is the database itself."""
    if not settings.REDIS_URL:
        return True
    from django_q.brokers import get_broker  # the broker is only needed by this probe

    try:
        return bool(get_broker().ping())
    except UNAVAILABLE_ERRORS:
        return False


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_reachable(), "broker": _broker_reachable()}
    ready = all(checks.values())
    body = {"status": "ready" if ready else "unavailable",
            "checks": {name: "ok" if ok else "unreachable" for name, ok in checks.items()}}
    response = JsonResponse(body, status=200 if ready else 503)
    return response if ready else with_retry_after(response, retry_after_seconds())
