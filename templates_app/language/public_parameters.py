"""Parameter-store references: ``{{ oos:Name }}``, ``{{ oos:aliyun/services/… }}`` and
``{{ oos-secret:Name }}``.

OOS resolves these from its parameter store when a template runs. The store lives in a
higher layer, so it plugs in here with :func:`set_parameter_store` and
:func:`set_secret_store` (from an ``AppConfig.ready``); without one every reference is an
"unknown parameter". :func:`resolve_reference` is the one function both the validator and
the renderer ask. Stores find the tenant in the context's ``ACS::AccountId``.

A secret never enters a rendered value: ``{{ oos-secret:Name }}`` renders to its own
reference, :func:`secret_marker` (the store only confirms the secret exists), and the
engine puts the plaintext in place only where it hands properties to an action
(:func:`secret_names` finds them). So stored properties, outputs and logs carry the
reference, never the value. A secret is therefore used as it is, as a whole value or
inside text; an expression that transforms it (``| upper``) transforms the reference.

Inside ``{{ }}``, ``oos:path`` is not a Jinja name, so the sandbox rewrites it to
:func:`jinja_name` (``OOS__`` and the path in hex; ``OOSSECRET__`` for a secret) and back
with :func:`path_of_name`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

OOS_PREFIX = "oos:"
SECRET_PREFIX = "oos-secret:"
NAME_PREFIX = "OOS__"
SECRET_NAME_PREFIX = "OOSSECRET__"
TENANT_KEY = "ACS::AccountId"
_PATH = r"([A-Za-z0-9_][A-Za-z0-9_./-]*)"
PATH = re.compile(r"\boos:" + _PATH)
SECRET_PATH = re.compile(r"\boos-secret:" + _PATH)
SECRET_MARKER = re.compile(r"\{\{ oos-secret:" + _PATH + r" \}\}")
JINJA_NAME = re.compile(r"\b(?:OOS|OOSSECRET)__[0-9a-f]+")

ParameterStore = Callable[[str, Mapping[str, Any]], Any]


class UnknownParameter(LookupError):
    """A parameter the store does not have (or there is no store)."""

    def __init__(self, path: str, why: str = "there is no parameter store yet", prefix: str = OOS_PREFIX):
        self.path = path
        super().__init__(f"unknown parameter '{prefix}{path}' ({why})")


_stores: dict[str, ParameterStore | None] = {OOS_PREFIX: None, SECRET_PREFIX: None}


def set_parameter_store(store: ParameterStore | None) -> None:
    """Install the lookup ``store(path, context) -> value`` (raises :class:`UnknownParameter`)."""
    _stores[OOS_PREFIX] = store


def set_secret_store(store: ParameterStore | None) -> None:
    """Install ``store(path, context)``, which raises :class:`UnknownParameter` for a secret that
    does not exist (its answer is not used: a secret renders to its reference)."""
    _stores[SECRET_PREFIX] = store


def parameter_store() -> ParameterStore | None:
    return _stores[OOS_PREFIX]


def secret_store() -> ParameterStore | None:
    return _stores[SECRET_PREFIX]


def resolve_public_parameter(path: str, context: Mapping[str, Any]) -> Any:
    """The value of ``oos:path`` for an execution with ``context`` (its pseudo-parameters)."""
    return resolve_reference(OOS_PREFIX + path, context)


def resolve_reference(reference: str, context: Mapping[str, Any]) -> Any:
    """What ``oos:path`` or ``oos-secret:path`` renders to in ``context``."""
    prefix = SECRET_PREFIX if reference.startswith(SECRET_PREFIX) else OOS_PREFIX
    path = reference[len(prefix):]
    store = _stores[prefix]
    if store is None:
        raise UnknownParameter(path, prefix=prefix)
    value = store(path, context)
    return secret_marker(path) if prefix == SECRET_PREFIX else value


def checkable(reference: str, context: Mapping[str, Any]) -> bool:
    """Whether ``reference`` can be checked in ``context``: a store needs the tenant to answer
    (a template saved without one is checked when it runs); with no store it is unknown."""
    prefix = SECRET_PREFIX if reference.startswith(SECRET_PREFIX) else OOS_PREFIX
    return _stores[prefix] is None or bool(context.get(TENANT_KEY))


def is_reference(name: str) -> bool:
    return name.startswith((OOS_PREFIX, SECRET_PREFIX))


def secret_marker(path: str) -> str:
    return "{{ " + SECRET_PREFIX + path + " }}"


def secret_names(value: Any) -> set[str]:
    """The secrets whose reference a rendered value (text, list, mapping) holds."""
    if isinstance(value, str):
        return set(SECRET_MARKER.findall(value)) if SECRET_PREFIX in value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(secret_names(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(secret_names(v) for v in value.values())) if value else set()
    return set()


def reveal(value: Any, plaintexts: Mapping[str, str]) -> Any:
    """``value`` with each secret reference whose plaintext is given replaced by it."""
    if isinstance(value, str):
        if SECRET_PREFIX not in value:
            return value
        return SECRET_MARKER.sub(lambda m: plaintexts.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [reveal(v, plaintexts) for v in value]
    if isinstance(value, dict):
        return {k: reveal(v, plaintexts) for k, v in value.items()}
    return value


def jinja_name(path: str, prefix: str = NAME_PREFIX) -> str:
    return prefix + path.encode("utf-8").hex()


def path_of_name(name: str) -> str | None:
    """``oos:path`` (or ``oos-secret:path``) for a rewritten name, None for any other name."""
    for jinja_prefix, prefix in ((SECRET_NAME_PREFIX, SECRET_PREFIX), (NAME_PREFIX, OOS_PREFIX)):
        if name.startswith(jinja_prefix):
            try:
                return prefix + bytes.fromhex(name[len(jinja_prefix):]).decode("utf-8")
            except ValueError:
                return None
    return None


def rewrite(expression: str) -> str:
    """``expression`` (the inside of one ``{{ }}``) with every reference made a Jinja name."""
    expression = SECRET_PATH.sub(lambda m: jinja_name(m.group(1), SECRET_NAME_PREFIX), expression)
    return PATH.sub(lambda m: jinja_name(m.group(1)), expression)
