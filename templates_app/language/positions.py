"""Where a problem's place is in the text: ``Tasks[2].Properties.Duration`` → line 9, column 7.

The validator works on loaded data and names places in the template's own vocabulary;
an editor needs lines. This module composes the text once more into PyYAML nodes (JSON
is YAML, so one composer serves both formats), whose marks keep their position, and walks
a place's segments down that tree. A place that goes deeper than the text (a required key
that is missing) points at the deepest part that exists: the mapping that lacks the key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .loading import MAX_CONTENT_BYTES, NoAliasLoader

_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


@dataclass(frozen=True)
class Position:
    """1-based line and column, as editors and people count them."""

    line: int
    column: int


def segments(place: str) -> list[str | int]:
    """``Tasks[2].Properties.X`` → ``["Tasks", 2, "Properties", "X"]``."""
    return [int(index) if index else key for index, key in _SEGMENT.findall(place)]


def compose(text: str) -> yaml.Node | None:
    """The text's node tree, or None when it does not parse (the loader reports that itself)."""
    if not isinstance(text, str) or len(text) > MAX_CONTENT_BYTES or not text.strip():
        return None
    try:
        return yaml.compose(text, Loader=NoAliasLoader)  # noqa: S506 - the loading module's safe loader
    except (yaml.YAMLError, RecursionError):
        return None


def _child(node: yaml.Node, segment: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(where to point, node to descend into) for one segment, or None if it is not there."""
    if isinstance(node, yaml.MappingNode) and isinstance(segment, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == segment:
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(segment, int) and segment < len(node.value):
        item = node.value[segment]
        return item, item
    return None


def locate(root: yaml.Node | None, place: str) -> Position | None:
    """The position of ``place`` in the composed text (the whole document for an empty place)."""
    if root is None:
        return None
    mark, node = root.start_mark, root
    for segment in segments(place):
        found = _child(node, segment)
        if found is None:
            break
        mark, node = found[0].start_mark, found[1]
    return Position(mark.line + 1, mark.column + 1)
