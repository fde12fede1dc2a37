"""Request parameters as every face reads them: one rule per type, one error naming the parameter.

Each face takes its values off its own carrier (Alibaba's query/form, UCloud's form or
JSON body with ``Name.N`` arrays, Huawei's and Baidu's JSON bodies, the native query
string) and hands each value here. A bad value raises :class:`InvalidParameter` (code
``InvalidParameter``, or ``MissingParameter`` for an absent required one) with the
parameter's name as its place; each face renders that in its own envelope.

The rules: absent (missing, JSON ``null`` or empty text) means the default; an integer
is a JSON integer or whole-number text, never a boolean, ``1.5``, ``1e20`` or ``"abc"``,
and nothing out of range is clamped; text is text (a JSON number where text is wanted
is read as its digits, as the SDKs send numbers as strings); a boolean is ``true`` or
``false`` in any case. Page numbers and offsets are bounded too, so a page "past the
end" can never overflow the database's OFFSET.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from orchestration import request_limits
from orchestration.errors import InvalidParameter

MAX_PAGE_NUMBER = 1_000_000
MAX_OFFSET = 1_000_000_000

_WHOLE = re.compile(r"[+-]?\d{1,19}")
_ISO_Z_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%MZ")


def absent(value: Any) -> bool:
    """Whether a wire value counts as not given: missing, JSON ``null`` or blank text."""
    return value is None or (isinstance(value, str) and not value.strip())


def missing(place: str) -> InvalidParameter:
    return InvalidParameter(place, "is required", code="MissingParameter")


def _bounds(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"from {minimum} to {maximum}"
    if minimum is not None:
        return f"of at least {minimum}"
    return f"of at most {maximum}" if maximum is not None else ""


def integer(value: Any, place: str, *, minimum: int | None = None, maximum: int | None = None,
            default: int | None = None, required: bool = False) -> int | None:
    """``value`` (whole-number text such as ``"25"`` or a JSON integer) as an int within the bounds."""
    if absent(value):
        if required:
            raise missing(place)
        return default
    wanted = " ".join(filter(None, ("must be an integer", _bounds(minimum, maximum))))
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and _WHOLE.fullmatch(value.strip()))
    ):
        raise InvalidParameter(place, f"{wanted}, got {value!r}")
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidParameter(place, f"{wanted}, got {number}")
    return number


def text(value: Any, place: str, *, required: bool = False, default: str | None = None,
         max_length: int | None = None, choices: Sequence[str] | None = None) -> str | None:
    """``value`` as text of at most ``max_length`` characters, one of ``choices`` when given."""
    if value is None or value == "":
        if required:
            raise missing(place)
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidParameter(place, f"must be a string, got {value!r}")
    if max_length is not None and len(value) > max_length:
        raise InvalidParameter(place, f"must be at most {max_length} characters, got {len(value)}")
    if choices is not None and value not in choices:
        raise InvalidParameter(place, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def boolean(value: Any, place: str, *, default: bool | None = None) -> bool | None:
    """``true``/``false`` as text in any case, or a JSON boolean."""
    if absent(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidParameter(place, f"must be true or false, got {value!r}")


def json_text(value: Any, place: str, kind: type[dict] | type[list], *, required: bool = False) -> Any:
    """A parameter carrying JSON text that must decode to an object (``dict``) or an array (``list``)."""
    if absent(value):
        if required:
            raise missing(place)
        return None
    if not isinstance(value, str):
        raise InvalidParameter(place, f"must be JSON text, got {value!r}")
    try:
        decoded = request_limits.loads(value)
    except ValueError as exc:
        raise InvalidParameter(place, f"is not valid JSON ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(decoded, kind):
        raise InvalidParameter(place, "must be a JSON object" if kind is dict else "must be a JSON array")
    return decoded


def text_list(items: list[Any] | None, place: str, *, required: bool = False, minimum: int = 0,
              maximum: int | None = None) -> list[str] | None:
    """A list of non-empty strings with ``minimum``–``maximum`` items."""
    if items is None:
        if required:
            raise missing(place)
        return None
    if len(items) < minimum or (maximum is not None and len(items) > maximum):
        raise InvalidParameter(place, f"must have {_bounds(minimum, maximum)} items, got {len(items)}")
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise InvalidParameter(f"{place}.{index}", f"must be a non-empty string, got {item!r}")
    return items


def parse_iso_z(value: str) -> datetime | None:
    """``2019-05-16T10:26:14Z`` (optionally with fractions, or without seconds) as UTC, else None."""
    for fmt in _ISO_Z_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def moment(value: Any, place: str) -> datetime | None:
    """An instant written ``YYYY-MM-DDThh:mm:ssZ`` (UTC), the cloud APIs' date format."""
    if absent(value):
        return None
    found = parse_iso_z(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidParameter(place, f"must be a date in the format YYYY-MM-DDThh:mm:ssZ, got {value!r}")
    return found


def page_size(value: Any, place: str, *, maximum: int, default: int) -> int:
    """How many rows a page holds: 1 to ``maximum``."""
    return integer(value, place, minimum=1, maximum=maximum, default=default)


def page_number(value: Any, place: str, *, first: int, default: int | None = None) -> int:
    """Which page: ``first`` (0 or 1, as the face counts) to :data:`MAX_PAGE_NUMBER`."""
    return integer(value, place, minimum=first, maximum=MAX_PAGE_NUMBER, default=first if default is None else default)
