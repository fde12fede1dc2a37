"""Reading RPC request parameters: strings, bounded integers, booleans, JSON strings, dates.

The rules are :mod:`orchestration.wire_parameters`'; a problem raises its
``InvalidParameter``, rendered by the face as Alibaba's ``MissingParameter`` or
``InvalidParameter`` naming the parameter (:func:`.errors.from_service_error`).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from orchestration import wire_parameters as wire


class RpcParams:
    """The merged query and form parameters of one request."""

    def __init__(self, values: Mapping[str, str]):
        self.values = dict(values)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name, "") != ""

    def raw(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value in (None, "") else value

    def str(self, name: str, *, required: bool = False, default: str | None = None,
            max_length: int | None = None, choices: tuple[str, ...] | None = None) -> str | None:
        return wire.text(self.raw(name), name, required=required, default=default, max_length=max_length,
                         choices=choices)

    def int(self, name: str, *, default: int | None = None, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
        return wire.integer(self.raw(name), name, minimum=minimum, maximum=maximum, default=default)

    def bool(self, name: str, *, default: bool | None = None) -> bool | None:
        return wire.boolean(self.raw(name), name, default=default)

    def json(self, name: str, kind: type, *, required: bool = False) -> Any:
        """A JSON-string parameter that must decode to ``kind`` (dict or list)."""
        return wire.json_text(self.raw(name), name, kind, required=required)

    def json_list(self, name: str, *, required: bool = False, minimum: int = 1, maximum: int = 50) -> list[str] | None:
        """A JSON array of strings with ``minimum``–``maximum`` items (a lone string counts as one)."""
        value = self.raw(name)
        items = [value] if value is not None and not value.lstrip().startswith("[") else self.json(
            name, list, required=required)
        return wire.text_list(items, name, minimum=minimum, maximum=maximum)

    def date(self, name: str) -> datetime | None:
        return wire.moment(self.raw(name), name)
