"""A probe: one request tenant B sends at tenant A's objects, and what B must get back.

Tables of probes say, per route or face action, how to fill path parameters and bodies
with A's objects. Strings like ``"{template}"`` are A's ids (:class:`SeededA.ids`);
``"{me}"`` is the caller's username and ``"{my_tenant}"`` B's tenant.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.isolation.seed import SeededA

DENIED = (403, 404)  # another tenant's object: forbidden, or simply not found
LISTED = (200,)  # a list answers, with B's rows only
# A foreign tenant in a body is "an unknown choice" to the tenant-scoped fields: 400 naming the field.
UNKNOWN_CHOICE = (400, 403, 404)
NOT_A_CHOICE = (400,)  # a list filtered by a tenant B cannot see: not a valid choice, like a missing one
PLACEHOLDER = re.compile(r"\{(\w+)\}")  # JSON braces around other text stay as they are


@dataclass(frozen=True)
class Probe:
    kwargs: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    status: tuple[int, ...] = DENIED
    note: str = ""
    method: str = "GET"  # for tables keyed by route name only (the console's function views)

    @property
    def names_a(self) -> bool:
        """Whether the probe names one of A's objects (not just the caller's own name or tenant)."""
        return bool(set(PLACEHOLDER.findall(sent_text(self.kwargs, self.query, self.body))) - {"me", "my_tenant"})


@dataclass(frozen=True)
class Answer:
    """What B got back: status, raw body, what B sent, and the face's error code (None: not its format)."""

    status: int
    body: bytes
    sent: str
    code: str | None = ""


def fill(value: Any, a: SeededA, me: str = "", my_tenant: str = "") -> Any:
    """``value`` with A's ids (and the caller's name and tenant) put into its ``{placeholders}``."""
    names = {**a.ids, "me": me, "my_tenant": my_tenant}
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: fill(v, a, me, my_tenant) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [fill(v, a, me, my_tenant) for v in value]
    return value


def sent_text(*parts: Any) -> str:
    """Everything B put into a request, so an id B sent and the server echoes is not a leak."""
    return " ".join(p if isinstance(p, str) else json.dumps(p, default=str) for p in parts)
