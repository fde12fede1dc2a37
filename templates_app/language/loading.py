"""Reading template content: JSON or YAML text, at most 64 KB, a mapping at the top.

YAML is read with a ``SafeLoader`` subclass that **refuses aliases entirely** (``*ref``,
and therefore ``<<: *ref`` merge keys). Runbook templates never need them, and refusing
them outright is the simplest way to make "billion laughs" alias bombs fail at once —
before any expansion — rather than capping a count that still allows exponential fan-out.
Anchors alone (``&name``) are harmless and ignored. Timestamps stay strings (the JSON
model has no dates) and non-JSON values (binary, sets, non-string keys) are refused, so
YAML and JSON content load to the same data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from .problems import Problem, TemplateInvalid

MAX_CONTENT_BYTES = 65536
MAX_DEPTH = 64

Format = Literal["JSON", "YAML"]


@dataclass(frozen=True)
class LoadedContent:
    data: dict[str, Any]
    format: Format


class NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that raises on the first alias and keeps timestamps as strings."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in templates", event.start_mark
            )
        return super().compose_node(parent, index)


NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _fail(message: str, line: int | None = None, column: int | None = None) -> TemplateInvalid:
    return TemplateInvalid([Problem("Content", message, line, column)])


def _json_error(exc: json.JSONDecodeError) -> TemplateInvalid:
    """``Expecting value: line 1 column 7 (char 6)`` as a sentence that leads with the place."""
    return _fail(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", exc.lineno, exc.colno)


def _yaml_error(exc: yaml.YAMLError) -> TemplateInvalid:
    """PyYAML's multi-line report (``while scanning … in "<unicode string>", line 3 …``) as one sentence.

    The problem mark is where the parser gave up; the context mark, when PyYAML names one,
    is where the construct it was reading began (often the real mistake, e.g. an unclosed quote).
    """
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return _fail(f"invalid YAML: {problem}")
    sentence = f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line != mark.line:
        sentence += f" ({context} that starts at line {context_mark.line + 1}, column {context_mark.column + 1})"
    elif context:
        sentence += f" ({context})"
    return _fail(sentence, mark.line + 1, mark.column + 1)


def check_json_compatible(data: Any, depth: int = 0) -> str | None:
    """Why ``data`` is not plain JSON data (or nested too deeply), else None."""
    if depth > MAX_DEPTH:
        return f"content is nested more than {MAX_DEPTH} levels deep"
    if data is None or isinstance(data, (str, bool, int, float)):
        if isinstance(data, float) and data != data:  # NaN
            return "NaN is not allowed"
        return None
    if isinstance(data, list):
        for item in data:
            why = check_json_compatible(item, depth + 1)
            if why:
                return why
        return None
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                return f"mapping key {key!r} is not a string (quote it)"
            why = check_json_compatible(value, depth + 1)
            if why:
                return why
        return None
    return f"value of type {type(data).__name__} is not allowed"


def load_content(text: str) -> LoadedContent:
    """Parse template text; raises :class:`TemplateInvalid` (place ``Content``) when unusable."""
    if not isinstance(text, str):
        raise _fail("content must be text")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_CONTENT_BYTES:
        raise _fail(f"content is {size} bytes; the limit is {MAX_CONTENT_BYTES} (64 KB)")
    if not text.strip():
        raise _fail("content is empty")
    fmt: Format
    json_error = None
    try:
        data = json.loads(text)
        fmt = "JSON"
    except RecursionError:
        raise _fail(f"content is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        json_error = exc
        if text.lstrip().startswith("{"):
            # Text that opens like JSON is judged as JSON: YAML would accept `{"a": }` as
            # {"a": null} and hide the author's mistake.
            if isinstance(exc, json.JSONDecodeError):
                raise _json_error(exc) from None
            raise _fail(f"invalid JSON: {json_error}") from None
        try:
            data = yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - safe loader subclass
            fmt = "YAML"
        except RecursionError:
            raise _fail(f"content is nested more than {MAX_DEPTH} levels deep") from None
        except yaml.YAMLError as yexc:
            raise _yaml_error(yexc) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise _fail(f"the top level must be a mapping, not {kind}")
    why = check_json_compatible(data)
    if why:
        raise _fail(why)
    return LoadedContent(data=data, format=fmt)


def dump_content(data: dict[str, Any], format: Format) -> str:  # noqa: A002 - the domain's word
    """Serialise ``data`` in ``format`` (key order kept, no YAML aliases)."""
    if format == "JSON":
        return json.dumps(data, indent=2, ensure_ascii=False)
    if format == "YAML":
        return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True)
    raise ValueError(f"unknown format {format!r}")
