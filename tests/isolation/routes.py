"""What the code answers: every URL of the resolver and every action of every cloud face.

The isolation matrix compares these with its tables, so a route or action added later
without an entry fails the test by name instead of going untested.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from orchestration.faces.alibaba.registry import action_names
from orchestration.faces.baidu import urls as baidu_urls
from orchestration.faces.ucloud.actions import HANDLERS as UCLOUD_HANDLERS

NATIVE_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full regex/path text, its name and the view behind it."""

    pattern: str
    name: str
    callback: object


def all_routes() -> Iterator[Route]:
    """Every URL pattern the site answers, with the prefixes of the includes it sits in."""

    def walk(patterns, prefix: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield Route(prefix + str(entry.pattern), entry.name or "", entry.callback)

    yield from walk(get_resolver().url_patterns, "")


def native_methods() -> set[tuple[str, str]]:
    """``(url name, HTTP method)`` of every native API route a viewset really answers.

    The router maps all of list/detail's methods; a viewset's ``http_method_names``
    may refuse some (405), and those are not routes to test. HEAD is GET without a body
    (DRF maps it to the same handler), so GET's entry covers it.
    """
    found = set()
    for route in all_routes():
        if not route.pattern.startswith(NATIVE_PREFIX):
            continue
        actions = getattr(route.callback, "actions", None) or {"get": "root"}
        allowed = getattr(getattr(route.callback, "cls", None), "http_method_names", ["get"])
        found |= {(route.name, method.upper()) for method in actions if method in allowed and method != "head"}
    return found


def baidu_methods() -> set[tuple[str, str]]:
    """``(path under /api/logic/oos/, HTTP method)`` of every Baidu OOS handler."""
    return {(str(p.pattern), method) for p in baidu_urls.urlpatterns for method in p.callback.handlers}


def alibaba_actions() -> set[str]:
    return set(action_names())


def ucloud_actions() -> set[str]:
    return set(UCLOUD_HANDLERS)
