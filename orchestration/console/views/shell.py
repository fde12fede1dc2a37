"""The parts around every page: the tenant/project switcher."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from orchestration.console import selection
from orchestration.console.access import signed_in
from orchestration.console.forms import SwitchForm


def safe_next(request: HttpRequest, target: str, fallback: str = "console:dashboard") -> str:
    """Only same-site redirects: ``next`` comes from the browser."""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


@signed_in
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    form = SwitchForm(request.POST)
    if form.is_valid():
        selection.choose(request, form.cleaned_data["tenant"], form.cleaned_data["project"])
    return redirect(safe_next(request, form.data.get("next", "")))
