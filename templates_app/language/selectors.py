"""jq selectors (``ValueSelector``, ``PropertySelector``, ``Fn::Jq``) via the ``jq`` package.

Programs are compiled here (cached: the same selector runs once per loop item) so a
bad one is reported at once, and run by :mod:`.jq_sandbox`, out of process.
A selector that does not compile and starts with a name (``Instances.Instance[].Id``,
``invocationOutput``) is read as a path from the root, as OOS reads it: ``.`` is put in
front. Output ``Type`` decides the shape: ``List`` collects every result, the others take
the first result and convert it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import jq

from . import jq_sandbox

MAX_SELECTOR_LENGTH = 4096
_STARTS_WITH_NAME = re.compile(r"^\s*[A-Za-z_]")


class SelectorError(ValueError):
    """A jq program that does not compile or fails on its input."""


def compile_selector(expr: str) -> Any:
    """The compiled jq program for ``expr``; :class:`SelectorError` with jq's message if bad."""
    return _compiled(expr)[1]


def jq_program(expr: str) -> str:
    """The jq text ``expr`` stands for: itself, or ``.`` + it when it is a path from the root."""
    return _compiled(expr)[0]


@lru_cache(maxsize=512)
def _compiled(expr: str) -> tuple[str, Any]:
    if not isinstance(expr, str) or not expr.strip():
        raise SelectorError("a jq selector must be non-empty text")
    if len(expr) > MAX_SELECTOR_LENGTH:
        raise SelectorError(f"a jq selector is limited to {MAX_SELECTOR_LENGTH} characters")
    try:
        return expr, jq.compile(expr)
    except ValueError as exc:
        first_error = exc
    if _STARTS_WITH_NAME.match(expr):
        rooted = "." + expr.lstrip()
        try:
            return rooted, jq.compile(rooted)
        except ValueError:
            pass
    message = str(first_error).strip().splitlines()[0] if str(first_error).strip() else "invalid jq"
    raise SelectorError(f"invalid jq {expr!r}: {message}") from None


def select_all(expr: str, data: Any) -> list[Any]:
    """Every result of ``expr`` on ``data``, computed out of process with time and memory limits."""
    program = jq_program(expr)  # bad syntax is reported the same way as in validation
    try:
        return jq_sandbox.run(program, data)
    except jq_sandbox.JqFailed as exc:
        raise SelectorError(f"jq {expr!r} failed: {exc}") from None
    except (TypeError, ValueError) as exc:  # data that is not JSON
        raise SelectorError(f"jq {expr!r}: its input is not JSON ({exc})") from None


def convert(value: Any, type_: str) -> Any:
    """``value`` as an output of ``type_`` (String, Number, Boolean, List, Json)."""
    if value is None or type_ == "Json":
        return value
    if type_ == "String":
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list, bool)) else str(value)
    if type_ == "Number":
        if isinstance(value, bool):
            raise SelectorError("expected a Number, got a Boolean")
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise SelectorError(f"expected a Number, got {value!r}") from None
            return int(number) if number.is_integer() else number
        raise SelectorError(f"expected a Number, got {type(value).__name__}")
    if type_ == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise SelectorError(f"expected a Boolean, got {value!r}")
    if type_ == "List":
        return value if isinstance(value, list) else [value]
    raise SelectorError(f"unknown output Type {type_!r}")


def select(expr: str, data: Any, type: str = "String") -> Any:  # noqa: A002 - OOS calls it Type
    """Run ``expr`` on ``data`` and shape the result as ``type``.

    ``List``: a single result that is already a list is returned as is, otherwise every
    result is collected into a list (so ``.Vms[].Id`` and ``.VmIds`` both give a list).
    Other types: the first result (None when jq yields nothing), converted.
    """
    results = select_all(expr, data)
    if type == "List":
        if len(results) == 1 and isinstance(results[0], list):
            return results[0]
        return results
    return convert(results[0] if results else None, type)
