"""Expressions in templates: rendering values, and what they refer to.

A value is rendered recursively: strings through sandboxed Jinja2 (``sandbox``),
``{"Fn::X": args}`` calls through the intrinsic functions (``functions``). The static
side (references, syntax problems) is what validation uses before anything runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import TemplateError

from .cloud import unknown_function_message
from .functions import FUNCTIONS, SPECIAL_FUNCTIONS, function_call, need_list, truthy
from .sandbox import (
    GLOBAL_NAMES,
    MAX_DEPTH,
    PSEUDO_PARAMETERS,
    ExpressionError,
    parse,
    render_string,
    unpseudo,
)

__all__ = [
    "PSEUDO_PARAMETERS", "ExpressionError", "check_syntax", "iter_syntax_problems", "reference_details",
    "references", "render", "render_string", "truthy", "TaskOutputs", "clock_parameters", "match_name",
]


def match_name(name: str, outputs: Iterable[str]) -> str | None:
    """The declared name (output, parameter, task) ``name`` refers to. OOS matches names
    without regard to case (templates write ``runCommand.InvokeId`` for an output declared
    ``invokeId``); an exact match wins, a case-insensitive one counts only when unambiguous."""
    names = list(outputs)
    if name in names:
        return name
    folded = [n for n in names if n.lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


def clock_parameters(now: dt.datetime) -> dict[str, str]:
    """``ACS::CurrentUTCTime`` (``2019-06-01T02:12:45Z``, the form the time functions take) and
    ``ACS::CurrentDate`` (``2019-06-01``) at ``now``."""
    utc = now.astimezone(dt.UTC)
    return {"ACS::CurrentUTCTime": utc.strftime("%Y-%m-%dT%H:%M:%SZ"), "ACS::CurrentDate": utc.strftime("%Y-%m-%d")}


class TaskOutputs(dict):
    """A task's outputs as expressions see them: ``task.InvokeId`` finds ``invokeId``."""

    def __missing__(self, key: Any) -> Any:
        found = match_name(key, self) if isinstance(key, str) else None
        if found is None:
            raise KeyError(key)
        return self[found]


def render(value: Any, context: dict[str, Any], conditions: dict[str, Any] | None = None) -> Any:
    """Render ``value`` recursively: strings through Jinja, ``Fn::`` calls evaluated.

    ``context`` maps parameter names, task names (to their outputs dict) and
    pseudo-parameters (``ACS::ExecutionId`` …) to values. ``conditions`` are the
    template's ``Conditions``, usable by name as ``Fn::If``'s first argument.
    Raises :class:`ExpressionError`.
    """
    conditions = conditions or {}

    def ev(v: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"value nested more than {MAX_DEPTH} levels deep")
        if isinstance(v, str):
            return render_string(v, context)
        if isinstance(v, list):
            return [ev(x, depth + 1) for x in v]
        if isinstance(v, dict):
            call = function_call(v)
            if call is None:
                return {k: ev(x, depth + 1) for k, x in v.items()}
            name, args = call

            def sub(x: Any) -> Any:
                return ev(x, depth + 1)

            if name == "Ref":
                if not isinstance(args, str):
                    raise ExpressionError("Ref expects a name")
                key = args
                if key not in context:
                    raise ExpressionError(f"Ref: {key!r} is undefined")
                return context[key]
            if name == "Fn::If":
                cond, if_true, if_false = need_list("Fn::If", args, 3)
                if isinstance(cond, str) and cond in conditions:
                    result = truthy(sub(conditions[cond]))
                else:
                    result = truthy(sub(cond))
                return sub(if_true if result else if_false)
            fn = FUNCTIONS.get(name)
            if fn is None:
                raise ExpressionError(f"unknown function {name}")
            return fn(sub, args)
        return v

    return ev(value)


# --- static inspection -----------------------------------------------------------------

def references(value: Any) -> set[str]:
    """Root names ``value`` refers to (parameters, task names, ``ACS::X`` pseudo-parameters,
    ``Ref`` targets). Strings with bad syntax contribute nothing (see :func:`check_syntax`)."""
    return {root for root, _attr, _place in reference_details(value, include_ref=True)}


def reference_details(value: Any, place: str = "", include_ref: bool = False) -> list[tuple[str, str | None, str]]:
    """``(root, attribute or None, place)`` for every reference, e.g. ``('task', 'Ids', 'Properties.X')``.

    ``{"Ref": name}`` (Baidu) looks a name up in the run-time context, which Baidu fills
    from execution properties the template does not declare, so it is only included on
    request (the validator leaves it unchecked).
    """
    found: list[tuple[str, str | None, str]] = []

    def walk(v: Any, where: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        call = function_call(v)
        if call and call[0] == "Ref" and isinstance(call[1], str):
            if include_ref:
                found.append((call[1], None, where))
            return
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, f"{where}.{k}" if where else str(k), depth + 1)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{where}[{i}]", depth + 1)
        elif isinstance(v, str) and "{{" in v:
            try:
                ast = parse(v)
            except TemplateError:
                return
            roots = meta.find_undeclared_variables(ast) - GLOBAL_NAMES
            attrs: dict[str, set[str]] = {}
            for node in ast.find_all(nodes.Getattr):
                if isinstance(node.node, nodes.Name):
                    attrs.setdefault(node.node.name, set()).add(node.attr)
            for node in ast.find_all(nodes.Getitem):
                key = node.arg.value if isinstance(node.arg, nodes.Const) else None
                if isinstance(node.node, nodes.Name) and isinstance(key, str):
                    attrs.setdefault(node.node.name, set()).add(key)
            for root in roots:
                bare = {n.name for n in ast.find_all(nodes.Name) if n.name == root}
                if root in attrs:
                    for attr in attrs[root]:
                        found.append((unpseudo(root), attr, where))
                elif bare:
                    found.append((unpseudo(root), None, where))

    walk(value, place, 0)
    return found


def iter_syntax_problems(value: Any, place: str = "") -> Iterator[tuple[str, str]]:
    """``(place, message)`` for bad Jinja and unknown or malformed ``Fn::`` calls."""

    def walk(v: Any, where: str, depth: int) -> Iterator[tuple[str, str]]:
        if depth > MAX_DEPTH:
            yield where, f"nested more than {MAX_DEPTH} levels deep"
            return
        call = function_call(v)
        if call:
            name, args = call
            if name not in FUNCTIONS and name not in SPECIAL_FUNCTIONS:
                yield where, unknown_function_message(name)
            elif name == "Ref" and not isinstance(args, str):
                yield where, "Ref expects a name"
            elif name == "Fn::If" and not (isinstance(args, list) and len(args) == 3):
                yield where, "Fn::If expects [condition, value if true, value if false]"
            yield from walk(args, f"{where}.{name}", depth + 1)
            return
        if isinstance(v, dict):
            for k, x in v.items():
                yield from walk(x, f"{where}.{k}" if where else str(k), depth + 1)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                yield from walk(x, f"{where}[{i}]", depth + 1)
        elif isinstance(v, str):
            if "{%" in v:
                yield where, "Jinja statements ({% … %}) are not supported; use {{ … }} expressions"
            if "{{" in v:
                try:
                    parse(v)
                except TemplateSyntaxError as exc:
                    yield where, f"bad expression: {exc.message}"
                except TemplateError as exc:
                    yield where, f"bad expression: {exc}"

    yield from walk(value, place, 0)


def check_syntax(value: Any) -> list[str]:
    """Messages for bad Jinja / ``Fn::`` calls anywhere in ``value`` (``"place: message"``)."""
    return [f"{p}: {m}" if p else m for p, m in iter_syntax_problems(value)]
