"""Parsed templates for running executions, cached by content hash.

An execution runs the snapshot of its pinned version. Parsing and validating it
costs far more than a transition, so each worker process keeps the parsed form of
the contents it has seen (a content hash identifies it exactly).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from templates_app.language.loading import load_content
from templates_app.language.model import ParsedTemplate


@lru_cache(maxsize=256)
def _parse(digest: str, content: str) -> ParsedTemplate:
    return ParsedTemplate.from_dict(load_content(content).data)


def parsed_content(content: str) -> ParsedTemplate:
    return _parse(hashlib.sha256(content.encode()).hexdigest(), content)
