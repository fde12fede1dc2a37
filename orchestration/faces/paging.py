"""Opaque ``NextToken`` paging over an ordered queryset or list, for the cloud faces."""
from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from orchestration.errors import InvalidParameter
from orchestration.paging_parameters import MAX_OFFSET


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str | None, place: str = "NextToken") -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, number = text.partition(":")
        offset = int(number)
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameter(place, f"{token!r} is not a token this service handed out")
    if kind != "offset" or not 0 <= offset <= MAX_OFFSET:  # a forged huge offset would overflow SQL
        raise InvalidParameter(place, f"{token!r} is not a token this service handed out")
    return offset


def page(items: Sequence[Any], token: str | None, size: int, place: str = "NextToken") -> tuple[list[Any], str]:
    """One page of ``items`` (a queryset is sliced in SQL) and the token of the next page ("" at the end)."""
    offset = decode_token(token, place)
    rows = list(items[offset : offset + size + 1])
    if len(rows) > size:
        return rows[:size], encode_token(offset + size)
    return rows, ""
