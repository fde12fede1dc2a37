"""Argument helpers shared by the ``Fn::`` function modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .sandbox import ExpressionError


def need_list(fn: str, args: Any, n: int | None = None, at_least: int | None = None) -> list[Any]:
    if not isinstance(args, list):
        raise ExpressionError(f"{fn} expects a list of arguments")
    if n is not None and len(args) != n:
        raise ExpressionError(f"{fn} expects {n} arguments, got {len(args)}")
    if at_least is not None and len(args) < at_least:
        raise ExpressionError(f"{fn} expects at least {at_least} arguments")
    return args


def parse_utc(fn: str, value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ExpressionError(f"{fn} expects a UTC time like 2019-06-01T02:12:45Z")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ExpressionError(f"{fn}: {value!r} is not a UTC time like 2019-06-01T02:12:45Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
