"""Reading RPC request parameters: strings, bounded integers, booleans, JSON strings, dates.

Problems raise :class:`~orchestration.faces.alibaba.errors.AlibabaError` with the code
Alibaba uses: ``MissingParameter`` or ``InvalidParameter`` and the parameter's name.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from orchestration import request_limits
from orchestration.faces.dates import parse_iso_z

from .errors import AlibabaError, missing


def invalid(name: str, message: str) -> AlibabaError:
    return AlibabaError("InvalidParameter", f'The parameter "{name}" is invalid: {message}')


class RpcParams:
    """The merged query and form parameters of one request."""

    def __init__(self, values: Mapping[str, str]):
        self.values = dict(values)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name, "") != ""

    def raw(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value in (None, "") else value

    def str(
        self,
        name: str,
        *,
        required: bool = False,
        default: str | None = None,
        max_length: int | None = None,
        choices: tuple[str, ...] | None = None,
    ) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise missing(name)
            return default
        if max_length is not None and len(value) > max_length:
            raise invalid(name, f"at most {max_length} characters")
        if choices is not None and value not in choices:
            raise invalid(name, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def int(self, name: str, *, default: int | None = None, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise invalid(name, f"{value!r} is not an integer")
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise invalid(name, f"must be between {minimum} and {maximum}, got {number}")
        return number

    def bool(self, name: str, *, default: bool | None = None) -> bool | None:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise invalid(name, f"{value!r} is not true or false")
        return lowered == "true"

    def json(self, name: str, kind: type, *, required: bool = False) -> Any:
        """A JSON-string parameter that must decode to ``kind`` (dict or list)."""
        value = self.raw(name)
        if value is None:
            if required:
                raise missing(name)
            return None
        try:
            decoded = request_limits.loads(value)
        except ValueError as exc:
            raise invalid(name, f"not valid JSON ({exc.msg} at character {exc.pos})")
        if not isinstance(decoded, kind):
            wanted = "a JSON object" if kind is dict else "a JSON array"
            raise invalid(name, f"must be {wanted}")
        return decoded

    def json_list(self, name: str, *, required: bool = False, minimum: int = 1, maximum: int = 50) -> list[str] | None:
        """A JSON array of strings with ``minimum``–``maximum`` items (a lone string counts as one)."""
        value = self.raw(name)
        if value is not None and not value.lstrip().startswith("["):
            items: Any = [value]
        else:
            items = self.json(name, list, required=required)
            if items is None:
                return None
        if not minimum <= len(items) <= maximum:
            raise invalid(name, f"between {minimum} and {maximum} items, got {len(items)}")
        if not all(isinstance(item, str) and item for item in items):
            raise invalid(name, "every item must be a non-empty string")
        return items

    def date(self, name: str) -> datetime | None:
        value = self.raw(name)
        if value is None:
            return None
        moment = parse_iso_z(value)
        if moment is None:
            raise invalid(name, f"{value!r} is not a date in the format YYYY-MM-DDThh:mm:ssZ")
        return moment
