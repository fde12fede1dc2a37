"""Opaque ``NextToken`` paging for the cloud faces: keyset over querysets, offset over lists.

A queryset ordered by plain fields (``"-created_at"``, ``F("name").desc(nulls_last=True)``,
always ending in a unique key such as ``"pk"``) is paged by *keyset*: the token carries the
last row's ordering values and the next page is "rows after these", which an index answers
at any depth and which stays stable while rows are added (an offset would skip or repeat
rows, and walk every earlier row). In-memory lists (the action catalog) and orderings by
something other than a model field keep an offset. Either way the token is opaque and
tied to the ordering it was made for: a token from another sort order is refused.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from orchestration.errors import InvalidParameter
from orchestration.wire_parameters import MAX_OFFSET


@dataclass(frozen=True)
class Key:
    """One ordering field: its name, direction, and whether its NULLs come last."""

    name: str
    descending: bool
    nullable: bool


def page(items: Sequence[Any], token: str | None, size: int, place: str = "NextToken") -> tuple[list[Any], str]:
    """One page of ``items`` and the token of the next page ("" at the end)."""
    keys = _keys(items) if isinstance(items, QuerySet) else None
    if keys is None:
        return _offset_page(items, token, size, place)
    signature = _signature(keys)
    rows_query = items
    if token:
        values = _decode(token, place, signature)
        if len(values) != len(keys):
            raise _foreign(token, place)
        rows_query = items.filter(_after(keys, values))
    rows = list(rows_query[: size + 1])
    if len(rows) <= size:
        return rows, ""
    last = rows[size - 1]
    return rows[:size], _encode({"s": signature, "k": [_dump(getattr(last, k.name)) for k in keys]})


# -- keyset ----------------------------------------------------------------------------------------


def _keys(queryset: QuerySet) -> list[Key] | None:
    """The ordering as keys, or None when keyset paging cannot follow it (then: offset)."""
    meta = queryset.model._meta
    keys = []
    for item in queryset.query.order_by or meta.ordering:
        if isinstance(item, str):
            name, descending, nulls_last = item.lstrip("-"), item.startswith("-"), None
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            name, descending, nulls_last = item.expression.name, item.descending, item.nulls_last
        else:
            return None
        name = meta.pk.name if name == "pk" else name
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            return None  # an annotation or a related lookup
        if field.null and not nulls_last:
            return None  # where NULLs sort depends on the database and direction
        keys.append(Key(field.attname, descending, field.null))
    if not keys or keys[-1].name != meta.pk.attname:
        return None  # without a unique last key, "after this row" is ambiguous
    return keys


def _after(keys: list[Key], values: list[Any]) -> Q:
    """Rows that sort after the row whose ordering values are ``values`` (NULLs last)."""
    after = Q(pk__in=[])
    same = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:
            same &= Q(**{f"{key.name}__isnull": True})
            continue
        beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
        if key.nullable:
            beyond |= Q(**{f"{key.name}__isnull": True})
        after |= same & beyond
        same &= Q(**{key.name: value})
    first, value = keys[0], values[0]
    if value is not None and not first.nullable:
        # Redundant, but a range the index can start from; the OR above alone is only a filter.
        after &= Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
    return after


def _signature(keys: list[Key]) -> str:
    text = ",".join(f"{'-' if k.descending else ''}{k.name}" for k in keys)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _dump(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return {"t": value.isoformat()}
    return value


def _load(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"} and isinstance(value["t"], str):
        text = value["t"]
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("not a key value")


# -- offset (lists) ------------------------------------------------------------------------------


def _offset_page(items: Sequence[Any], token: str | None, size: int, place: str) -> tuple[list[Any], str]:
    offset = 0
    if token:
        offset = _decode(token, place, "offset")
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
            raise _foreign(token, place)  # a forged huge offset would overflow SQL
    rows = list(items[offset: offset + size + 1])
    if len(rows) > size:
        return rows[:size], _encode({"s": "offset", "k": offset + size})
    return rows, ""


# -- the token ---------------------------------------------------------------------------------


def _encode(body: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(token: str, place: str, signature: str) -> Any:
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
        if not isinstance(body, dict) or body.get("s") != signature:
            raise ValueError("another listing's token")
        values = body["k"]
        return [_load(v) for v in values] if isinstance(values, list) else values
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise _foreign(token, place) from None


def _foreign(token: str, place: str) -> InvalidParameter:
    return InvalidParameter(place, f"{token[:80]!r} is not a token this service handed out for this listing")
