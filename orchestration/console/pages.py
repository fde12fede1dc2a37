"""Rendering a console page: the page's own context plus the shell around it.

Every full page needs the navigation, the tenant/project switcher and the language
menu; views call :func:`render_page` instead of ``render`` so none of them has to
remember to add those (the console has no context processor of its own in settings).
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orchestration.console import navigation, selection
from orchestration.console.execution_lookup import BADGE_CAP, waiting_approval_count


def shell_context(request: HttpRequest, active: str) -> dict[str, Any]:
    chosen = selection.current(request)
    badges = {"approvals": waiting_approval_count(request, chosen.tenant)}
    return {
        "nav": [
            {"area": a, "active": a.key == active, "badge": badges.get(a.key, 0)}
            for a in navigation.AREAS
            if not a.scope or selection.can(request, chosen.tenant, a.scope)
        ],
        "badge_cap": BADGE_CAP,
        "selection": chosen,
        "tenant": chosen.tenant,
        "project": chosen.project,
    }


def render_page(
    request: HttpRequest, template_name: str, context: dict[str, Any] | None = None, *, active: str, status: int = 200
) -> HttpResponse:
    """A full console page, or for an htmx request that asks for a fragment only that fragment."""
    full = {**shell_context(request, active), **(context or {})}
    return render(request, template_name, full, status=status)
