"""Cancel or delete the executions ticked in the list, after the confirmation dialog.

Both go through the services the API uses (``cancel_executions``, ``delete_executions``):
they take the selected tenant and refuse ids outside it (404), a delete of a running
execution (409) and more than 100 ids (400), before touching any row.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from orchestration.console import selection
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.errors import InvalidParameter
from orchestration.services import executions as service


@signed_in
@require_POST
@service_errors("executions")
def execution_bulk(request: HttpRequest) -> HttpResponse:
    tenant = selection.current(request).tenant
    action = request.POST.get("action", "")
    ids = request.POST.getlist("ids")
    if tenant is None:
        raise InvalidParameter("tenant", "no tenant is selected")
    if action == "cancel":
        n = service.cancel_executions(tenant, request.user, ids)
        messages.success(request, ngettext("Asked %(n)d execution to cancel.", "Asked %(n)d executions to cancel.",
                                           n) % {"n": n})
    elif action == "delete":
        n = service.delete_executions(tenant, request.user, ids)
        messages.success(request, ngettext("Deleted %(n)d execution.", "Deleted %(n)d executions.", n) % {"n": n})
    else:
        raise InvalidParameter("action", "must be cancel or delete")
    query = request.POST.get("query", "")
    back = reverse("console:execution-list")
    return redirect(f"{back}?{query}" if query and "\n" not in query and "\r" not in query else back)
