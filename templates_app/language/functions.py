"""``Fn::`` functions: the intrinsic functions of the OOS template language.

Each takes ``ev`` (evaluates its arguments, so nested calls and ``{{ }}`` strings are
resolved first) and the raw arguments. ``Fn::If`` and ``Ref`` need the template's
conditions and the run-time context, so :func:`expressions.render` evaluates them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from . import selectors
from .function_args import need_list, parse_utc
from .functions_oos import OOS_FUNCTIONS
from .sandbox import MAX_STRING, ExpressionError, replaced_length

__all__ = ["FUNCTIONS", "SPECIAL_FUNCTIONS", "function_call", "need_list", "truthy"]


def truthy(value: Any) -> bool:
    """Condition truth: booleans, and the texts ``true``/``false`` (any case)."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
    return bool(value)


def _fn_join(ev: Callable[[Any], Any], args: Any) -> Any:
    delim, items = need_list("Fn::Join", ev(args), 2)
    if not isinstance(delim, str) or not isinstance(items, list):
        raise ExpressionError("Fn::Join expects [delimiter, [values]]")
    parts = [v if isinstance(v, str) else json.dumps(v) for v in items]
    _check_join_expr(delim, parts)
    return delim.join(parts)


def _check_join_expr(delim: str, parts: list[str]) -> None:
    if len(delim) * len(parts) + sum(len(p) for p in parts) > MAX_STRING:
        raise ExpressionError("Fn::Join result too large")


def _fn_select(ev: Callable[[Any], Any], args: Any) -> Any:
    args = need_list("Fn::Select", ev(args), at_least=2)
    index, container = args[0], args[1]
    has_default = len(args) > 2
    if isinstance(container, dict):
        if index in container:
            return container[index]
        if has_default:
            return args[2]
        raise ExpressionError(f"Fn::Select: key {index!r} not found")
    if not isinstance(container, list):
        raise ExpressionError("Fn::Select expects a list or a mapping as its second argument")
    if isinstance(index, str) and ":" in index:
        parts = index.split(":")
        if len(parts) > 3:
            raise ExpressionError(f"Fn::Select: bad slice {index!r}")
        try:
            bounds = [int(p) if p.strip() else None for p in parts]
        except ValueError:
            raise ExpressionError(f"Fn::Select: bad slice {index!r}") from None
        if len(bounds) == 3 and bounds[2] == 0:
            raise ExpressionError("Fn::Select: slice step cannot be 0")
        return container[slice(*bounds)]
    try:
        i = int(index)
    except (TypeError, ValueError):
        raise ExpressionError(f"Fn::Select: index {index!r} is not a number") from None
    if -len(container) <= i < len(container):
        return container[i]
    if has_default:
        return args[2]
    raise ExpressionError(f"Fn::Select: index {i} out of range")


def _fn_split(ev: Callable[[Any], Any], args: Any) -> Any:
    delim, text = need_list("Fn::Split", ev(args), 2)
    if not isinstance(delim, str) or not delim or not isinstance(text, str):
        raise ExpressionError("Fn::Split expects [non-empty delimiter, text]")
    return text.split(delim)


def _fn_replace(ev: Callable[[Any], Any], args: Any) -> Any:
    mapping, text = need_list("Fn::Replace", ev(args), 2)
    if not isinstance(mapping, dict) or not isinstance(text, str):
        raise ExpressionError("Fn::Replace expects [{old: new}, text]")
    for old, new in mapping.items():
        new = new if isinstance(new, str) else json.dumps(new)
        if old == "":
            raise ExpressionError("Fn::Replace: cannot replace the empty string")
        if replaced_length(text, old, new) > MAX_STRING:
            raise ExpressionError(f"Fn::Replace result longer than {MAX_STRING} characters")
        text = text.replace(old, new)
    return text


def _fn_equals(ev: Callable[[Any], Any], args: Any) -> Any:
    a, b = need_list("Fn::Equals", ev(args), 2)
    return a == b


def _fn_not(ev: Callable[[Any], Any], args: Any) -> Any:
    value = ev(args)
    if isinstance(value, list):
        if len(value) != 1:
            raise ExpressionError("Fn::Not expects one condition")
        value = value[0]
    return not truthy(value)


def _fn_and(ev: Callable[[Any], Any], args: Any) -> Any:
    return all(truthy(ev(a)) for a in need_list("Fn::And", args, at_least=2))


def _fn_or(ev: Callable[[Any], Any], args: Any) -> Any:
    return any(truthy(ev(a)) for a in need_list("Fn::Or", args, at_least=2))


def _nonempty_list(fn: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ExpressionError(f"{fn} expects a non-empty list")
    return value


def _fn_min(ev: Callable[[Any], Any], args: Any) -> Any:
    try:
        return min(_nonempty_list("Fn::Min", ev(args)))
    except TypeError:
        raise ExpressionError("Fn::Min: values cannot be compared") from None


def _fn_max(ev: Callable[[Any], Any], args: Any) -> Any:
    try:
        return max(_nonempty_list("Fn::Max", ev(args)))
    except TypeError:
        raise ExpressionError("Fn::Max: values cannot be compared") from None


def _fn_first(ev: Callable[[Any], Any], args: Any) -> Any:
    return _nonempty_list("Fn::First", ev(args))[0]


def _fn_last(ev: Callable[[Any], Any], args: Any) -> Any:
    return _nonempty_list("Fn::Last", ev(args))[-1]


def _fn_list_join(ev: Callable[[Any], Any], args: Any) -> Any:
    value = ev(args)
    return value if isinstance(value, list) else [value]


def _fn_merge_map(ev: Callable[[Any], Any], args: Any) -> Any:
    maps = need_list("Fn::MergeMap", ev(args))
    merged: dict[str, Any] = {}
    for m in maps:
        if not isinstance(m, dict):
            raise ExpressionError("Fn::MergeMap expects a list of mappings")
        merged.update(m)
    return merged


def _fn_jq(ev: Callable[[Any], Any], args: Any) -> Any:
    method, script, obj = need_list("Fn::Jq", ev(args), 3)
    if method not in ("First", "All"):
        raise ExpressionError("Fn::Jq: method must be First or All")
    if isinstance(obj, str):
        try:
            obj = json.loads(obj)
        except ValueError:
            raise ExpressionError("Fn::Jq: object is not valid JSON") from None
    try:
        results = selectors.select_all(script, obj)
    except selectors.SelectorError as exc:
        raise ExpressionError(f"Fn::Jq: {exc}") from None
    if method == "All":
        return results
    return results[0] if results else None


def _fn_b64encode(ev: Callable[[Any], Any], args: Any) -> Any:
    value = ev(args)
    if not isinstance(value, str):
        raise ExpressionError("Fn::Base64Encode expects text")
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def _fn_b64decode(ev: Callable[[Any], Any], args: Any) -> Any:
    value = ev(args)
    if not isinstance(value, str):
        raise ExpressionError("Fn::Base64Decode expects text")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise ExpressionError("Fn::Base64Decode: not valid Base64 of UTF-8 text") from None


UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
def _fn_format_utc_time(ev: Callable[[Any], Any], args: Any) -> Any:
    when, fmt = need_list("Fn::FormatUTCTime", ev(args), 2)
    if not isinstance(fmt, str) or len(fmt) > 200:
        raise ExpressionError("Fn::FormatUTCTime expects [time, strftime format]")
    return parse_utc("Fn::FormatUTCTime", when).strftime(fmt)


def _fn_add_hour(ev: Callable[[Any], Any], args: Any) -> Any:
    when, hours = need_list("Fn::AddHour", ev(args), 2)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)):
        raise ExpressionError("Fn::AddHour expects [time, hours]")
    try:
        return (parse_utc("Fn::AddHour", when) + dt.timedelta(hours=hours)).strftime(UTC_FORMAT)
    except OverflowError:
        raise ExpressionError("Fn::AddHour: result out of range") from None


FUNCTIONS: dict[str, Callable[[Callable[[Any], Any], Any], Any]] = {
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::Replace": _fn_replace,
    "Fn::Equals": _fn_equals,
    "Fn::Not": _fn_not,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Fn::Min": _fn_min,
    "Fn::Max": _fn_max,
    "Fn::First": _fn_first,
    "Fn::Last": _fn_last,
    "Fn::ListJoin": _fn_list_join,
    "Fn::MergeMap": _fn_merge_map,
    "Fn::Jq": _fn_jq,
    "Fn::Base64Encode": _fn_b64encode,
    "Fn::Base64Decode": _fn_b64decode,
    "Fn::FormatUTCTime": _fn_format_utc_time,
    "Fn::AddHour": _fn_add_hour,
    **OOS_FUNCTIONS,
}
SPECIAL_FUNCTIONS = ("Fn::If", "Ref")


def function_call(value: Any) -> tuple[str, Any] | None:
    """``(name, args)`` when ``value`` is a one-key ``{"Fn::X": args}`` (or ``{"Ref": n}``)."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and (key.startswith("Fn::") or key == "Ref"):
            return key, value[key]
    return None
