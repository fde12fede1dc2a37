"""OOS public and tenant parameters: ``{{ oos:Name }}`` and ``{{ oos:aliyun/services/… }}``.

OOS resolves these from its parameter store when a template runs. This product has no
parameter store yet, so every such reference is an "unknown parameter" — reported by the
validator at its place, and by the engine if a template gets that far. When a store
exists it plugs in with :func:`set_parameter_store` (from an ``AppConfig.ready``, since
the store lives in a higher layer); :func:`resolve_public_parameter` is the one function
both the validator and the renderer ask.

Inside ``{{ }}``, ``oos:path`` is not a Jinja name, so the sandbox rewrites it to
:func:`jinja_name` (``OOS__`` and the path in hex) and back with :func:`path_of_name`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

OOS_PREFIX = "oos:"
NAME_PREFIX = "OOS__"
PATH = re.compile(r"\boos:([A-Za-z0-9_][A-Za-z0-9_./-]*)")

ParameterStore = Callable[[str, Mapping[str, Any]], Any]


class UnknownParameter(LookupError):
    """A public parameter the store does not have (or there is no store)."""

    def __init__(self, path: str, why: str = "there is no parameter store yet"):
        self.path = path
        super().__init__(f"unknown parameter '{OOS_PREFIX}{path}' ({why})")


_store: ParameterStore | None = None


def set_parameter_store(store: ParameterStore | None) -> None:
    """Install the lookup ``store(path, context) -> value`` (raises :class:`UnknownParameter`)."""
    global _store
    _store = store


def resolve_public_parameter(path: str, context: Mapping[str, Any]) -> Any:
    """The value of ``oos:path`` for an execution with ``context`` (its pseudo-parameters)."""
    if _store is None:
        raise UnknownParameter(path)
    return _store(path, context)


def jinja_name(path: str) -> str:
    return NAME_PREFIX + path.encode("utf-8").hex()


def path_of_name(name: str) -> str | None:
    """``oos:path`` for a rewritten name, None for any other name."""
    if not name.startswith(NAME_PREFIX):
        return None
    try:
        return OOS_PREFIX + bytes.fromhex(name[len(NAME_PREFIX):]).decode("utf-8")
    except ValueError:
        return None


def rewrite(expression: str) -> str:
    """``expression`` (the inside of one ``{{ }}``) with every ``oos:path`` made a Jinja name."""
    return PATH.sub(lambda m: jinja_name(m.group(1)), expression)
