"""Typed access to a UCloud-style request's parameters, from a form or a JSON body.

Arrays arrive as ``Name.0``, ``Name.1``… in a form (the SDK's encoding) and as JSON
arrays in a JSON body; integers as digits or JSON numbers. The rules per type are
:mod:`orchestration.wire_parameters`'; the face renders their errors as RetCode 230.
"""
from __future__ import annotations

import re
from typing import Any

from orchestration import wire_parameters as wire


class UParams:
    def __init__(self, values: dict[str, Any]):
        self.values = values

    def has(self, name: str) -> bool:
        return name in self.values or any(re.fullmatch(rf"{re.escape(name)}\.\d+", k) for k in self.values)

    def str(self, name: str, *, required: bool = False, max_length: int | None = None, aliases=()) -> str | None:
        key = next((key for key in (name, *aliases) if key in self.values), name)
        return wire.text(self.values.get(key), name, required=required, max_length=max_length)

    def int(self, name: str, *, required: bool = False, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
        return wire.integer(self.values.get(name), name, required=required, minimum=minimum, maximum=maximum)

    def list(self, name: str, *, required: bool = False) -> list[str] | None:
        if name in self.values:
            value = self.values[name]
            items = value if isinstance(value, list) else [value]
        else:
            indexed = {int(k.rpartition(".")[2]): v for k, v in self.values.items()
                       if re.fullmatch(rf"{re.escape(name)}\.\d{{1,4}}", k)}
            items = [indexed[i] for i in sorted(indexed)] if indexed else None
        return wire.text_list(items, name, required=required)
