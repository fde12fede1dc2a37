"""Expressions in templates: ``{{ … }}`` (sandboxed Jinja2) and ``Fn::`` functions.

Rendering is the one place user-written code runs, so it is locked down:

* ``ImmutableSandboxedEnvironment``: no ``_``-attributes (``''.__class__`` and friends
  raise), no mutation of lists/dicts, ``range`` capped by Jinja at 100 000 items.
* ``StrictUndefined``: a misspelt name is an error, never an empty string.
* Only ``{{ }}`` expressions. Statements and comments are switched off (their
  delimiters are moved out of reach), so nested ``{% for %}`` time bombs cannot be
  written, and shell text like ``${#arr[@]}`` is not taken for a Jinja comment.
* Size caps: ``*``, ``+``, ``%``, width-taking string methods, ``replace`` and ``join``
  refuse results over :data:`MAX_STRING` characters / :data:`MAX_ITEMS` items *before*
  allocating; filters that take a width or count (``center``, ``indent``, ``wordwrap``,
  ``format``, ``slice``) and globals like ``lipsum``/``cycler`` are removed; the output of
  a render is capped too.

Pseudo-parameters: ``ACS::X`` is not a Jinja name, so inside ``{{ }}`` it is rewritten
to ``ACS__X`` before compiling and the context exposes it under that name. Callers pass
(and :func:`references` returns) the ``ACS::X`` spelling; the rewriting is internal.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import selectors

MAX_STRING = 1_000_000
MAX_ITEMS = 100_000
MAX_DEPTH = 64

PSEUDO_PARAMETERS = (
    "ACS::ExecutionId",
    "ACS::ParentExecutionId",
    "ACS::TaskExecutionId",
    "ACS::TaskName",
    "ACS::TaskLoopItem",
    "ACS::RegionId",
    "ACS::AccountId",
    "ACS::TemplateName",
    "ACS::TemplateVersion",
    "ACS::ExecutedBy",
)
PSEUDO_PREFIX = "ACS__"


class ExpressionError(ValueError):
    """An expression that cannot be evaluated: bad syntax, undefined name, refused operation."""


def pseudo_name(name: str) -> str:
    """The Jinja-safe name of pseudo-parameter ``ACS::X`` (``ACS__X``)."""
    return PSEUDO_PREFIX + name[len("ACS::"):] if name.startswith("ACS::") else name


def _unpseudo(name: str) -> str:
    return "ACS::" + name[len(PSEUDO_PREFIX):] if name.startswith(PSEUDO_PREFIX) else name


_EXPR_BLOCK = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_PSEUDO_IN_EXPR = re.compile(r"\bACS::([A-Za-z_][A-Za-z0-9_]*)")
_SINGLE_EXPR = re.compile(r"^\s*\{\{(?P<body>.*)\}\}\s*$", re.DOTALL)
_HUGE_WIDTH = re.compile(r"[:%][^a-zA-Z%}]*\d{6,}")


def _rewrite(source: str) -> str:
    return _EXPR_BLOCK.sub(lambda m: _PSEUDO_IN_EXPR.sub(PSEUDO_PREFIX + r"\1", m.group(0)), source)


def _refuse(message: str) -> SecurityError:
    return SecurityError(message)


def _check_size(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise _refuse(f"result longer than {MAX_STRING} characters")
    if isinstance(value, (list, tuple)) and len(value) > MAX_ITEMS:
        raise _refuse(f"result longer than {MAX_ITEMS} items")
    return value


def _seq_len(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _check_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str):
        count = len(text) + 1 if old == "" else text.count(old)
        if len(text) + count * max(0, len(new) - len(old)) > MAX_STRING:
            raise _refuse(f"replace would exceed {MAX_STRING} characters")


def _check_join(sep: Any, items: list[Any]) -> None:
    if isinstance(sep, str) and len(sep) * len(items) > MAX_STRING:
        raise _refuse(f"join would exceed {MAX_STRING} characters")


_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                size = _seq_len(seq)
                limit = MAX_STRING if isinstance(seq, str) else MAX_ITEMS
                if size is not None and isinstance(n, int) and size * n > limit:
                    raise _refuse("repetition result too large")
        elif operator == "**":
            numbers = isinstance(right, (int, float)) and isinstance(left, (int, float))
            if numbers and abs(right) > 1000 and abs(left) > 1:
                raise _refuse("exponent too large")
        elif operator == "+":
            a, b = _seq_len(left), _seq_len(right)
            if a is not None and b is not None and a + b > MAX_STRING:
                raise _refuse("concatenation result too large")
        elif operator == "%" and isinstance(left, str) and _HUGE_WIDTH.search(left):
            raise _refuse("format width too large")
        return _check_size(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Any:
        owner = getattr(value, "__self__", None)
        is_format = getattr(value, "__name__", "") in ("format", "format_map")
        if is_format and isinstance(owner, str) and _HUGE_WIDTH.search(owner):
            raise _refuse("format width too large")
        return super().wrap_str_format(value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            numbers = [a for a in (*args, *kwargs.values()) if isinstance(a, int)]
            if name in _WIDTH_METHODS and any(n > MAX_STRING for n in numbers):
                raise _refuse(f"str.{name} width too large")
            if name == "replace" and len(args) >= 2:
                _check_replace(owner, args[0], args[1])
            if name == "join" and args:
                items = list(args[0])
                _check_join(owner, items)
                args = (items, *args[1:])
        return _check_size(super().call(__context, __obj, *args, **kwargs))


def _build_environment() -> _Environment:
    env = _Environment(
        undefined=StrictUndefined,
        autoescape=False,
        block_start_string="<%jinja-statements-disabled",
        block_end_string="jinja-statements-disabled%>",
        comment_start_string="<#jinja-comments-disabled",
        comment_end_string="jinja-comments-disabled#>",
    )
    for unsafe in ("center", "indent", "wordwrap", "format", "slice", "batch", "filesizeformat", "urlize"):
        env.filters.pop(unsafe, None)
    base_replace = env.filters["replace"]
    base_join = env.filters["join"]

    def safe_replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
        if isinstance(s, str):
            _check_replace(s, old, new)
        return base_replace(eval_ctx, s, old, new, count)

    def safe_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        _check_join(d, items)
        return _check_size(base_join(eval_ctx, items, d, attribute))

    safe_replace.jinja_pass_arg = base_replace.jinja_pass_arg  # type: ignore[attr-defined]
    safe_join.jinja_pass_arg = base_join.jinja_pass_arg  # type: ignore[attr-defined]
    env.filters["replace"] = safe_replace
    env.filters["join"] = safe_join
    for name in ("lipsum", "cycler", "joiner", "namespace"):
        env.globals.pop(name, None)
    return env


ENVIRONMENT = _build_environment()
_GLOBAL_NAMES = frozenset(ENVIRONMENT.globals)


def _jinja_context(context: dict[str, Any]) -> dict[str, Any]:
    return {pseudo_name(k): v for k, v in context.items()}


def _translate(exc: Exception, source: str) -> ExpressionError:
    snippet = source if len(source) <= 120 else source[:117] + "..."
    if isinstance(exc, SecurityError):
        return ExpressionError(f"refused unsafe expression {snippet!r}: {exc}")
    if isinstance(exc, UndefinedError):
        return ExpressionError(f"{_unpseudo_message(str(exc))} in {snippet!r}")
    if isinstance(exc, TemplateSyntaxError):
        return ExpressionError(f"syntax error in {snippet!r}: {exc.message}")
    return ExpressionError(f"cannot evaluate {snippet!r}: {type(exc).__name__}: {exc}")


def _unpseudo_message(message: str) -> str:
    return re.sub(PSEUDO_PREFIX + r"([A-Za-z_][A-Za-z0-9_]*)", r"ACS::\1", message)


@lru_cache(maxsize=2048)
def _compile_template(source: str) -> Any:
    return ENVIRONMENT.from_string(source)


@lru_cache(maxsize=2048)
def _compile_expression(body: str) -> Any:
    return ENVIRONMENT.compile_expression(body, undefined_to_none=False)


def _single_expression(source: str) -> str | None:
    m = _SINGLE_EXPR.match(source)
    if not m:
        return None
    body = m.group("body")
    if "{{" in body or "}}" in body:
        return None
    return body


_EVALUATION_ERRORS = (
    TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError, RecursionError, MemoryError,
)


def _materialize(value: Any, depth: int = 0) -> Any:
    """Raise for any Undefined in a native result (the sandbox returns Undefined for refused attributes)."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if depth > MAX_DEPTH:
        raise ExpressionError("result nested too deeply")
    if isinstance(value, (list, tuple)):
        return [_materialize(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_materialize(k, depth + 1): _materialize(v, depth + 1) for k, v in value.items()}
    if not (value is None or isinstance(value, (str, int, float, bool))):
        raise ExpressionError(f"expression yields a {type(value).__name__}, not plain data")
    return value


def render_string(source: str, context: dict[str, Any]) -> Any:
    """Render one string; a string that is exactly ``{{ expr }}`` yields expr's native value."""
    if "{{" not in source:
        return source
    rewritten = _rewrite(source)
    jctx = _jinja_context(context)
    try:
        body = _single_expression(rewritten)
        if body is not None:
            return _check_size(_materialize(_compile_expression(body)(**jctx)))
        out: list[str] = []
        size = 0
        for chunk in _compile_template(rewritten).generate(**jctx):
            size += len(chunk)
            if size > MAX_STRING:
                raise _refuse(f"rendered text longer than {MAX_STRING} characters")
            out.append(chunk)
        return "".join(out)
    except ExpressionError:
        raise
    except _EVALUATION_ERRORS as exc:
        raise _translate(exc, source) from None


# --- Fn:: functions --------------------------------------------------------------------

def truthy(value: Any) -> bool:
    """Condition truth: booleans, and the texts ``true``/``false`` (any case)."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
    return bool(value)


def _need_list(fn: str, args: Any, n: int | None = None, at_least: int | None = None) -> list[Any]:
    if not isinstance(args, list):
        raise ExpressionError(f"{fn} expects a list of arguments")
    if n is not None and len(args) != n:
        raise ExpressionError(f"{fn} expects {n} arguments, got {len(args)}")
    if at_least is not None and len(args) < at_least:
        raise ExpressionError(f"{fn} expects at least {at_least} arguments")
    return args


def _fn_join(ev: Callable[[Any], Any], args: Any) -> Any:
    delim, items = _need_list("Fn::Join", ev(args), 2)
    if not isinstance(delim, str) or not isinstance(items, list):
        raise ExpressionError("Fn::Join expects [delimiter, [values]]")
    parts = [v if isinstance(v, str) else json.dumps(v) for v in items]
    _check_join_expr(delim, parts)
    return delim.join(parts)


def _check_join_expr(delim: str, parts: list[str]) -> None:
    if len(delim) * len(parts) + sum(len(p) for p in parts) > MAX_STRING:
        raise ExpressionError("Fn::Join result too large")


def _fn_select(ev: Callable[[Any], Any], args: Any) -> Any:
    args = _need_list("Fn::Select", ev(args), at_least=2)
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
    delim, text = _need_list("Fn::Split", ev(args), 2)
    if not isinstance(delim, str) or not delim or not isinstance(text, str):
        raise ExpressionError("Fn::Split expects [non-empty delimiter, text]")
    return text.split(delim)


def _fn_replace(ev: Callable[[Any], Any], args: Any) -> Any:
    mapping, text = _need_list("Fn::Replace", ev(args), 2)
    if not isinstance(mapping, dict) or not isinstance(text, str):
        raise ExpressionError("Fn::Replace expects [{old: new}, text]")
    for old, new in mapping.items():
        new = new if isinstance(new, str) else json.dumps(new)
        if old == "":
            raise ExpressionError("Fn::Replace: cannot replace the empty string")
        _check_replace(text, old, new)
        text = text.replace(old, new)
    return text


def _fn_equals(ev: Callable[[Any], Any], args: Any) -> Any:
    a, b = _need_list("Fn::Equals", ev(args), 2)
    return a == b


def _fn_not(ev: Callable[[Any], Any], args: Any) -> Any:
    value = ev(args)
    if isinstance(value, list):
        if len(value) != 1:
            raise ExpressionError("Fn::Not expects one condition")
        value = value[0]
    return not truthy(value)


def _fn_and(ev: Callable[[Any], Any], args: Any) -> Any:
    return all(truthy(ev(a)) for a in _need_list("Fn::And", args, at_least=2))


def _fn_or(ev: Callable[[Any], Any], args: Any) -> Any:
    return any(truthy(ev(a)) for a in _need_list("Fn::Or", args, at_least=2))


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
    maps = _need_list("Fn::MergeMap", ev(args))
    merged: dict[str, Any] = {}
    for m in maps:
        if not isinstance(m, dict):
            raise ExpressionError("Fn::MergeMap expects a list of mappings")
        merged.update(m)
    return merged


def _fn_jq(ev: Callable[[Any], Any], args: Any) -> Any:
    method, script, obj = _need_list("Fn::Jq", ev(args), 3)
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


def _parse_utc(fn: str, value: Any) -> dt.datetime:
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


def _fn_format_utc_time(ev: Callable[[Any], Any], args: Any) -> Any:
    when, fmt = _need_list("Fn::FormatUTCTime", ev(args), 2)
    if not isinstance(fmt, str) or len(fmt) > 200:
        raise ExpressionError("Fn::FormatUTCTime expects [time, strftime format]")
    return _parse_utc("Fn::FormatUTCTime", when).strftime(fmt)


def _fn_add_hour(ev: Callable[[Any], Any], args: Any) -> Any:
    when, hours = _need_list("Fn::AddHour", ev(args), 2)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)):
        raise ExpressionError("Fn::AddHour expects [time, hours]")
    try:
        return (_parse_utc("Fn::AddHour", when) + dt.timedelta(hours=hours)).strftime(UTC_FORMAT)
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
}
SPECIAL_FUNCTIONS = ("Fn::If", "Ref")


def function_call(value: Any) -> tuple[str, Any] | None:
    """``(name, args)`` when ``value`` is a one-key ``{"Fn::X": args}`` (or ``{"Ref": n}``)."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and (key.startswith("Fn::") or key == "Ref"):
            return key, value[key]
    return None


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
                cond, if_true, if_false = _need_list("Fn::If", args, 3)
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

def _iter_strings(value: Any, place: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        yield place, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _iter_strings(v, f"{place}[{i}]", depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _iter_strings(v, f"{place}.{k}" if place else str(k), depth + 1)


def _parse(source: str) -> Any:
    return ENVIRONMENT.parse(_rewrite(source))


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
                ast = _parse(v)
            except TemplateError:
                return
            roots = meta.find_undeclared_variables(ast) - _GLOBAL_NAMES
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
                        found.append((_unpseudo(root), attr, where))
                elif bare:
                    found.append((_unpseudo(root), None, where))

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
                yield where, f"unknown function {name}"
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
                    _parse(v)
                except TemplateSyntaxError as exc:
                    yield where, f"bad expression: {exc.message}"
                except TemplateError as exc:
                    yield where, f"bad expression: {exc}"

    yield from walk(value, place, 0)


def check_syntax(value: Any) -> list[str]:
    """Messages for bad Jinja / ``Fn::`` calls anywhere in ``value`` (``"place: message"``)."""
    return [f"{p}: {m}" if p else m for p, m in iter_syntax_problems(value)]
