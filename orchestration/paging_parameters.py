"""Paging parameters (page size, page number, offset) read by one rule on every face.

A value is a whole number in range or an error naming the parameter: ``null`` spelled
out, ``1.5``, ``-1``, ``0`` for a size, ``"abc"``, ``1e20`` or a boolean never fall back
silently to the default, and nothing out of range is clamped. Absent (missing, JSON
``null`` or an empty query value) means the default. Page numbers and offsets are
bounded too, so a page "past the end" can never overflow the database's OFFSET.
"""
from __future__ import annotations

import re
from typing import Any

from orchestration.errors import InvalidParameter

MAX_PAGE_NUMBER = 1_000_000
MAX_OFFSET = 1_000_000_000

_WHOLE = re.compile(r"[+-]?\d{1,19}")


def int_parameter(value: Any, place: str, *, minimum: int, maximum: int, default: int | None = None) -> int:
    """``value`` (query text such as ``"25"`` or a JSON number) as an int in ``minimum..maximum``.

    Raises :class:`InvalidParameter` with ``place`` as the parameter's name; each face
    renders that in its own envelope.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise InvalidParameter(place, "is required", code="MissingParameter")
        return default
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and _WHOLE.fullmatch(value.strip()))
    ):
        raise InvalidParameter(place, f"must be an integer from {minimum} to {maximum}, got {value!r}")
    number = int(value)
    if not minimum <= number <= maximum:
        raise InvalidParameter(place, f"must be an integer from {minimum} to {maximum}, got {number}")
    return number


def page_size(value: Any, place: str, *, maximum: int, default: int) -> int:
    """How many rows a page holds: 1 to ``maximum``."""
    return int_parameter(value, place, minimum=1, maximum=maximum, default=default)


def page_number(value: Any, place: str, *, first: int, default: int | None = None) -> int:
    """Which page: ``first`` (0 or 1, as the face counts) to :data:`MAX_PAGE_NUMBER`."""
    return int_parameter(value, place, minimum=first, maximum=MAX_PAGE_NUMBER,
                         default=first if default is None else default)
