"""``{{ … }}`` expressions: sandboxed Jinja2.

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
(and :func:`expressions.references` returns) the ``ACS::X`` spelling; the rewriting is internal.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from . import public_parameters

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
    "ACS::ExecuteUser",
    "ACS::CurrentUTCTime",
    "ACS::CurrentDate",
)
PSEUDO_PREFIX = "ACS__"


class ExpressionError(ValueError):
    """An expression that cannot be evaluated: bad syntax, undefined name, refused operation."""


def pseudo_name(name: str) -> str:
    """The Jinja-safe name of pseudo-parameter ``ACS::X`` (``ACS__X``)."""
    return PSEUDO_PREFIX + name[len("ACS::"):] if name.startswith("ACS::") else name


def unpseudo(name: str) -> str:
    """The template spelling of a Jinja name: ``ACS::X`` for ``ACS__X``, ``oos:path`` for ``OOS__…``."""
    if name.startswith(PSEUDO_PREFIX):
        return "ACS::" + name[len(PSEUDO_PREFIX):]
    return public_parameters.path_of_name(name) or name


_EXPR_BLOCK = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_PSEUDO_IN_EXPR = re.compile(r"\b(?i:ACS)::([A-Za-z_][A-Za-z0-9_]*)")  # OOS also reads Acs::CurrentDate
_SINGLE_EXPR = re.compile(r"^\s*\{\{(?P<body>.*)\}\}\s*$", re.DOTALL)
_HUGE_WIDTH = re.compile(r"[:%][^a-zA-Z%}]*\d{6,}")


def _rewrite(source: str) -> str:
    return _EXPR_BLOCK.sub(
        lambda m: public_parameters.rewrite(_PSEUDO_IN_EXPR.sub(PSEUDO_PREFIX + r"\1", m.group(0))), source,
    )


def _public_parameters(rewritten: str, context: dict[str, Any]) -> dict[str, Any]:
    """Values of the ``oos:``/``oos-secret:`` references an expression names, from the one resolver."""
    found: dict[str, Any] = {}
    for name in set(public_parameters.JINJA_NAME.findall(rewritten)):
        reference = public_parameters.path_of_name(name)
        if reference is not None:
            try:
                found[name] = public_parameters.resolve_reference(reference, context)
            except public_parameters.UnknownParameter as exc:
                raise ExpressionError(str(exc)) from None
    return found


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


def replaced_length(text: str, old: str, new: str) -> int:
    """Length of ``text.replace(old, new)``, known before allocating it."""
    count = len(text) + 1 if old == "" else text.count(old)
    return len(text) + count * (len(new) - len(old))


def _check_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str) and replaced_length(text, old, new) > MAX_STRING:
        raise _refuse(f"replace would exceed {MAX_STRING} characters")


def _check_join(sep: Any, items: list[Any]) -> None:
    if isinstance(sep, str) and len(sep) * len(items) > MAX_STRING:
        raise _refuse(f"join would exceed {MAX_STRING} characters")


_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


class _CaseInsensitiveContext(Context):
    """OOS resolves names without regard to case (``{{ LoadBalancerId }}`` finds the parameter
    ``loadBalancerId``, ``ACS::accountid`` the pseudo-parameter): an exact name wins, and a
    case-insensitive match is used only when it is the only one."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        if value is not missing or not isinstance(key, str):
            return value
        folded = key.lower()
        matches = [k for k in self.parent if isinstance(k, str) and k.lower() == folded]
        return self.parent[matches[0]] if len(matches) == 1 else missing


class _Environment(ImmutableSandboxedEnvironment):
    context_class = _CaseInsensitiveContext
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
GLOBAL_NAMES = frozenset(ENVIRONMENT.globals)  # Jinja's own names, never template references


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
    if public_parameters.NAME_PREFIX in rewritten or public_parameters.SECRET_NAME_PREFIX in rewritten:
        jctx.update(_public_parameters(rewritten, context))
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


def parse(source: str) -> Any:
    """The Jinja AST of ``source`` (pseudo-parameters rewritten); raises ``TemplateError``."""
    return ENVIRONMENT.parse(_rewrite(source))
