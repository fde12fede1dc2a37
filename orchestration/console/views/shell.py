"""The parts around every page: the switcher, and areas whose backend has not landed."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from orchestration.console import features, selection
from orchestration.console.access import signed_in
from orchestration.console.forms import SwitchForm
from orchestration.console.pages import render_page


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


def unavailable(key: str):
    """A page saying plainly that an area is not available yet (until its backend exists)."""

    @signed_in
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        return render_page(
            request, "console/unavailable.html", {"area": features.area(key)}, active=key, status=200
        )

    view.__name__ = f"{key}_unavailable"
    return view
