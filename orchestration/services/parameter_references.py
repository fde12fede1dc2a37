"""The parameter store as the template language sees it: ``{{ oos:Name }}`` and
``{{ oos-secret:Name }}`` for the tenant in the context's ``ACS::AccountId``.

Installed into :mod:`templates_app.language.public_parameters` by the orchestration
app's ``ready()``, so the language never imports the store's models.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from templates_app.language.public_parameters import (
    SECRET_PREFIX,
    TENANT_KEY,
    UnknownParameter,
    set_parameter_store,
    set_secret_store,
)

from . import parameters


def _tenant_of(path: str, context: Mapping[str, Any], prefix: str = "oos:") -> int:
    try:
        return int(context.get(TENANT_KEY) or "")
    except ValueError:
        raise UnknownParameter(path, "no tenant to look it up in", prefix=prefix) from None


def lookup_parameter(path: str, context: Mapping[str, Any]) -> str | list[str]:
    value = parameters.current_value(_tenant_of(path, context), path)
    if value is None:
        raise UnknownParameter(path, "the tenant has no such parameter")
    return value


def lookup_secret(path: str, context: Mapping[str, Any]) -> None:
    """Only whether the secret exists: its value is put in place by the engine, at the action."""
    if not parameters.secret_versions(_tenant_of(path, context, SECRET_PREFIX), {path}):
        raise UnknownParameter(path, "the tenant has no such secret parameter", prefix=SECRET_PREFIX)


def install() -> None:
    set_parameter_store(lookup_parameter)
    set_secret_store(lookup_secret)
