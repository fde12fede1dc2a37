"""The ``Fn::`` functions OOS added beyond the CloudFormation-style core (``functions``).

Semantics follow Alibaba's documentation and how its public templates use them:

* ``Fn::MergeList: [[a, b], [c]]`` → ``[a, b, c]`` (an item that is not a list is kept as one item);
* ``Fn::MergeMapToList: [{K1: [a, b]}, {K2: [c, d]}]`` → ``[{K1: a, K2: c}, {K1: b, K2: d}]``
  (a value that is not a list is repeated on every row);
* ``Fn::ConvertMapToList: {k: v}`` → ``[{"Key": k, "Value": v}]`` (the shape tag APIs take);
* ``Fn::Intersection: [list, list, …]`` → the items of the first that are in every other;
* ``Fn::RangeSelect: [start, end, list]`` → ``list[start:end]`` (negative counts from the end);
* ``Fn::ContainsSubString: [text, part]`` → whether ``part`` occurs in ``text``;
* ``Fn::Escape: [text, shell|powershell]`` → ``text`` safe inside single quotes of that shell;
* ``Fn::Sub: [text, {Name: value}]`` → ``text`` with every ``${Name}`` replaced;
* ``Fn::DurationBetween: [from, to]`` → ISO 8601 seconds (``PT3600S``) from one time to the
  next: ``HH:mm:ss[Z]`` times of day wrap to the next day, full UTC times do not;
* ``Fn::CalculateBatch: [batches, items]`` → how many items each of ``batches`` batches
  takes (``ceil(len(items) / batches)``, at least 1): a Loop's ``Concurrency`` for rolling work;
* ``Fn::Eval: [arithmetic]`` → the value of a numeric expression (see :mod:`.arithmetic`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from typing import Any

from .arithmetic import evaluate
from .function_args import need_list, parse_utc
from .sandbox import MAX_ITEMS, MAX_STRING, ExpressionError

Ev = Callable[[Any], Any]


def _fn_merge_list(ev: Ev, args: Any) -> Any:
    merged: list[Any] = []
    for item in need_list("Fn::MergeList", ev(args)):
        merged.extend(item if isinstance(item, list) else [item])
        if len(merged) > MAX_ITEMS:
            raise ExpressionError(f"Fn::MergeList result longer than {MAX_ITEMS} items")
    return merged


def _fn_merge_map_to_list(ev: Ev, args: Any) -> Any:
    columns: dict[str, Any] = {}
    for mapping in need_list("Fn::MergeMapToList", ev(args)):
        if not isinstance(mapping, dict):
            raise ExpressionError("Fn::MergeMapToList expects a list of mappings {Key: [values]}")
        columns.update(mapping)
    lengths = {len(v) for v in columns.values() if isinstance(v, list)}
    if len(lengths) > 1:
        raise ExpressionError("Fn::MergeMapToList: the value lists have different lengths")
    rows = lengths.pop() if lengths else 1
    return [{k: (v[i] if isinstance(v, list) else v) for k, v in columns.items()} for i in range(rows)]


def _fn_convert_map_to_list(ev: Ev, args: Any) -> Any:
    mapping = ev(args)
    if isinstance(mapping, list) and len(mapping) == 1:
        mapping = mapping[0]
    if not isinstance(mapping, dict):
        raise ExpressionError("Fn::ConvertMapToList expects a mapping")
    return [{"Key": k, "Value": v} for k, v in mapping.items()]


def _fn_intersection(ev: Ev, args: Any) -> Any:
    lists = need_list("Fn::Intersection", ev(args), at_least=2)
    if not all(isinstance(x, list) for x in lists):
        raise ExpressionError("Fn::Intersection expects lists")
    others = [{json.dumps(v, sort_keys=True) for v in other} for other in lists[1:]]
    return [v for v in lists[0] if all(json.dumps(v, sort_keys=True) in keys for keys in others)]


def _fn_range_select(ev: Ev, args: Any) -> Any:
    start, end, items = need_list("Fn::RangeSelect", ev(args), 3)
    if not isinstance(items, list):
        raise ExpressionError("Fn::RangeSelect expects [start, end, list]")
    try:
        return items[int(start):int(end)]
    except (TypeError, ValueError):
        raise ExpressionError("Fn::RangeSelect: start and end must be whole numbers") from None


def _fn_contains_substring(ev: Ev, args: Any) -> Any:
    text, part = need_list("Fn::ContainsSubString", ev(args), 2)
    if not isinstance(text, str) or not isinstance(part, str):
        raise ExpressionError("Fn::ContainsSubString expects [text, substring]")
    return part in text


_ESCAPES = {"shell": "'\\''", "bash": "'\\''", "powershell": "''"}


def _fn_escape(ev: Ev, args: Any) -> Any:
    text, kind = need_list("Fn::Escape", ev(args), 2)
    if not isinstance(text, str) or kind not in _ESCAPES:
        raise ExpressionError(f"Fn::Escape expects [text, one of {', '.join(_ESCAPES)}]")
    escaped = text.replace("'", _ESCAPES[kind])
    if len(escaped) > MAX_STRING:
        raise ExpressionError(f"Fn::Escape result longer than {MAX_STRING} characters")
    return escaped


_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9_:.]+)\}")


def _fn_sub(ev: Ev, args: Any) -> Any:
    values = ev(args)
    text, names = (values, {}) if isinstance(values, str) else need_list("Fn::Sub", values, 2)
    if not isinstance(text, str) or not isinstance(names, dict):
        raise ExpressionError("Fn::Sub expects [text, {Name: value}]")

    def value_of(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            raise ExpressionError(f"Fn::Sub: ${{{match.group(1)}}} has no value")
        value = names[match.group(1)]
        return value if isinstance(value, str) else json.dumps(value)

    result = _SUB_NAME.sub(value_of, text)
    if len(result) > MAX_STRING:
        raise ExpressionError(f"Fn::Sub result longer than {MAX_STRING} characters")
    return result


_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$")


def _seconds_of_day(text: str) -> int | None:
    m = _TIME_OF_DAY.match(text.strip())
    if not m:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    offset = m.group(4) or "Z"
    shift = 0
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        shift = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    if h > 23 or mi > 59 or s > 59:
        return None
    return (h * 3600 + mi * 60 + s - shift) % 86400


def _fn_duration_between(ev: Ev, args: Any) -> Any:
    start, end = need_list("Fn::DurationBetween", ev(args), 2)
    if not isinstance(start, str) or not isinstance(end, str):
        raise ExpressionError("Fn::DurationBetween expects [time, time]")
    a, b = _seconds_of_day(start), _seconds_of_day(end)
    if a is not None and b is not None:
        seconds = (b - a) % 86400
    else:
        delta = parse_utc("Fn::DurationBetween", end) - parse_utc("Fn::DurationBetween", start)
        if delta < dt.timedelta(0):
            raise ExpressionError("Fn::DurationBetween: the second time is before the first")
        seconds = int(delta.total_seconds())
    return f"PT{seconds}S"


def _fn_calculate_batch(ev: Ev, args: Any) -> Any:
    batches, items = need_list("Fn::CalculateBatch", ev(args), 2)
    if isinstance(items, str):
        try:
            items = json.loads(items)
        except ValueError:
            items = None
    try:
        count = int(batches)
    except (TypeError, ValueError):
        count = 0
    if count < 1 or not isinstance(items, list):
        raise ExpressionError("Fn::CalculateBatch expects [number of batches >= 1, list of items]")
    return max(1, math.ceil(len(items) / count))


def _fn_eval(ev: Ev, args: Any) -> Any:
    value = ev(args)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ExpressionError("Fn::Eval expects arithmetic text such as '-7*24'")
    return evaluate(value)


OOS_FUNCTIONS: dict[str, Callable[[Ev, Any], Any]] = {
    "Fn::MergeList": _fn_merge_list,
    "Fn::MergeMapToList": _fn_merge_map_to_list,
    "Fn::ConvertMapToList": _fn_convert_map_to_list,
    "Fn::Intersection": _fn_intersection,
    "Fn::RangeSelect": _fn_range_select,
    "Fn::ContainsSubString": _fn_contains_substring,
    "Fn::Escape": _fn_escape,
    "Fn::Sub": _fn_sub,
    "Fn::DurationBetween": _fn_duration_between,
    "Fn::CalculateBatch": _fn_calculate_batch,
    "Fn::Eval": _fn_eval,
}
