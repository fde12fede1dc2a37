"""Colouring text for display: template content and unified diffs.

Both return plain data (lines of ``(css class, text)`` pieces) that the HTML templates
render with auto-escaping, so no markup is built from user content in Python. The
highlighter is deliberately small: keys, strings, numbers, comments and ``{{ … }}``
expressions of OOS YAML/JSON are what an operator scans for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# One alternation, tried left to right at each position; the group name is the class.
_TOKENS = re.compile(
    r"""
    (?P<comment>\#.*$)
  | (?P<expr>\{\{.*?\}\})
  | (?P<key>(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z_][\w.:-]*)(?=\s*:(?:\s|$)))
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')
  | (?P<number>(?<![\w.-])-?\d+(?:\.\d+)?(?![\w.-]))
  | (?P<keyword>(?<![\w-])(?:true|false|null|True|False)(?![\w-]))
  | (?P<punct>[{}\[\],]|:(?=\s|$)|^\s*-\s)
    """,
    re.VERBOSE,
)
_EXPR_IN_STRING = re.compile(r"(\{\{.*?\}\})")


@dataclass(frozen=True)
class Piece:
    kind: str  # "" for plain text
    text: str


@dataclass(frozen=True)
class Line:
    number: int
    pieces: list[Piece]
    kind: str = ""  # diff lines: "add", "del", "hunk", "file", "" for context


def _split_expressions(kind: str, text: str) -> list[Piece]:
    """Strings keep their colour but show embedded ``{{ … }}`` expressions distinctly."""
    parts = _EXPR_IN_STRING.split(text)
    return [Piece("expr" if i % 2 else kind, part) for i, part in enumerate(parts) if part]


def highlight_line(text: str) -> list[Piece]:
    pieces: list[Piece] = []
    pos = 0
    for match in _TOKENS.finditer(text):
        if match.start() > pos:
            pieces.append(Piece("", text[pos : match.start()]))
        kind = match.lastgroup or ""
        if kind == "string":
            pieces.extend(_split_expressions(kind, match.group()))
        else:
            pieces.append(Piece(kind, match.group()))
        pos = match.end()
    if pos < len(text):
        pieces.extend(_split_expressions("", text[pos:]))
    return pieces


def highlight(content: str) -> list[Line]:
    """Template content as numbered, coloured lines."""
    return [Line(i, highlight_line(text)) for i, text in enumerate(content.splitlines(), start=1)]


def diff_lines(diff: str) -> list[Line]:
    """A unified diff (as ``diff_versions`` returns it) with each line marked added, removed or context."""
    lines = []
    for i, text in enumerate(diff.splitlines(), start=1):
        if text.startswith(("+++", "---")):
            kind = "file"
        elif text.startswith("@@"):
            kind = "hunk"
        elif text.startswith("+"):
            kind = "add"
        elif text.startswith("-"):
            kind = "del"
        else:
            kind = ""
        lines.append(Line(i, [Piece("", text)], kind))
    return lines
