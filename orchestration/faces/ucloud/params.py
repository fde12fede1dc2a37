"""Typed access to a UCloud-style request's parameters, from a form or a JSON body.

Arrays arrive as ``Name.0``, ``Name.1``… in a form (the SDK's encoding) and as JSON
arrays in a JSON body; integers as digits or JSON numbers.
"""
from __future__ import annotations

import re
from typing import Any

from .errors import invalid, missing


class UParams:
    def __init__(self, values: dict[str, Any]):
        self.values = values

    def has(self, name: str) -> bool:
        return name in self.values or any(re.fullmatch(rf"{re.escape(name)}\.\d+", k) for k in self.values)

    def str(self, name: str, *, required: bool = False, max_length: int | None = None, aliases=()) -> str | None:
        for key in (name, *aliases):
            if key in self.values:
                value = self.values[key]
                break
        else:
            if required:
                raise missing(name)
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise invalid(name, "must be a string")
        if required and not value:
            raise missing(name)
        if max_length is not None and len(value) > max_length:
            raise invalid(name, f"must be at most {max_length} characters, got {len(value)}")
        return value

    def int(self, name: str, *, required: bool = False, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
        if name not in self.values or self.values[name] in ("", None):
            if required:
                raise missing(name)
            return None
        value = self.values[name]
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()))
        ):
            raise invalid(name, f"must be an integer, got {value!r}")
        number = int(value)
        if minimum is not None and number < minimum or maximum is not None and number > maximum:
            bounds = f"from {minimum}" + (f" to {maximum}" if maximum is not None else "")
            raise invalid(name, f"must be an integer {bounds}, got {number}")
        return number

    def list(self, name: str, *, required: bool = False) -> list[str] | None:
        if name in self.values:
            value = self.values[name]
            items = value if isinstance(value, list) else [value]
        else:
            indexed = {int(k.rpartition(".")[2]): v for k, v in self.values.items()
                       if re.fullmatch(rf"{re.escape(name)}\.\d{{1,4}}", k)}
            if not indexed:
                if required:
                    raise missing(name)
                return None
            items = [indexed[i] for i in sorted(indexed)]
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise invalid(f"{name}.{index}", "must be a string")
        return items
