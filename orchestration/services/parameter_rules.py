"""The rules of the parameter store, as Alibaba OOS documents them for CreateParameter and
CreateSecretParameter: every face, the console and the admin check through these.

* Name: 2–180 characters, letters, digits, ``-``, ``_`` and ``/`` (paths such as
  ``app/db/password``); it may not start with ``ALIYUN``, ``ACS``, ``ALIBABA``,
  ``ALICLOUD`` or ``OOS`` (any case), which name the provider's public parameters. It
  starts with a letter, digit or ``_``, so that ``{{ oos:Name }}`` can name it.
* Value: 1–4096 characters. A ``StringList`` is one text of comma-separated items.
* Description: at most 200 characters.
* Constraints: a JSON object with ``AllowedValues`` (a list of text), ``AllowedPattern``
  (a regular expression the whole value must match), ``MinLength`` and ``MaxLength``;
  checked on every write. For a ``StringList`` they apply to each item.
"""
from __future__ import annotations

import json
import re
from typing import Any

from orchestration.errors import InvalidParameter
from orchestration.models import ParameterType

NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_/-]{1,179}$")
RESERVED_PREFIXES = ("ALIYUN", "ACS", "ALIBABA", "ALICLOUD", "OOS")
MAX_VALUE = 4096
MAX_DESCRIPTION = 200
MAX_PATTERN = 1024
CONSTRAINT_KEYS = ("AllowedValues", "AllowedPattern", "MinLength", "MaxLength")
PLAIN_TYPES = (ParameterType.STRING, ParameterType.STRING_LIST)


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidParameter("Name", "use 2–180 letters, digits, '-', '_' or '/', starting with a letter, "
                                       "digit or '_'")
    if name.upper().startswith(RESERVED_PREFIXES):
        raise InvalidParameter("Name", f"a name may not start with {', '.join(RESERVED_PREFIXES)}")
    return name


def check_type(value: Any, *, secret: bool) -> str:
    if secret:
        if value not in (None, "", ParameterType.SECRET):
            raise InvalidParameter("Type", "a secret parameter's Type is Secret")
        return ParameterType.SECRET
    if value in (None, ""):
        raise InvalidParameter("Type", "required: String or StringList", code="MissingParameter")
    if value not in PLAIN_TYPES:
        raise InvalidParameter("Type", f"must be String or StringList, not {value!r}")
    return value


def check_description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise InvalidParameter("Description", f"text of at most {MAX_DESCRIPTION} characters")
    return value


def items_of(value: str, kind: str) -> list[str]:
    """The items a value holds: one for String and Secret, the comma-separated ones for StringList."""
    return [item.strip() for item in value.split(",")] if kind == ParameterType.STRING_LIST else [value]


def check_constraints(value: Any) -> dict[str, Any]:
    """Constraints as a dict (from a dict or its JSON text), each key well-formed."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidParameter("Constraints", "must be a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidParameter("Constraints", "must be a JSON object")
    for key in value:
        if key not in CONSTRAINT_KEYS:
            raise InvalidParameter("Constraints", f"unknown constraint {key!r} (known: {', '.join(CONSTRAINT_KEYS)})")
    allowed = value.get("AllowedValues")
    if allowed is not None and not (isinstance(allowed, list) and allowed and all(isinstance(a, str) for a in allowed)):
        raise InvalidParameter("Constraints", "AllowedValues must be a non-empty list of text")
    pattern = value.get("AllowedPattern")
    if pattern is not None:
        if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
            raise InvalidParameter("Constraints",
                                   f"AllowedPattern must be a regular expression of at most {MAX_PATTERN} characters")
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            raise InvalidParameter("Constraints", f"AllowedPattern is not a valid regular expression: {exc}") from None
    for key in ("MinLength", "MaxLength"):
        bound = value.get(key)
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int) or not 0 <= bound <= MAX_VALUE):
            raise InvalidParameter("Constraints", f"{key} must be a whole number from 0 to {MAX_VALUE}")
    if value.get("MinLength", 0) > value.get("MaxLength", MAX_VALUE):
        raise InvalidParameter("Constraints", "MinLength is above MaxLength")
    return value


def check_value(value: Any, kind: str, constraints: dict[str, Any]) -> str:
    """A value of 1–4096 characters whose every item meets ``constraints``.

    The messages never quote a secret value: they say which rule failed, not with what.
    """
    if value in (None, ""):
        raise InvalidParameter("Value", "required: 1 to 4096 characters", code="MissingParameter")
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise InvalidParameter("Value", f"text of at most {MAX_VALUE} characters")
    for item in items_of(value, kind):
        problem = _constraint_problem(item, constraints)
        if problem:
            raise InvalidParameter("Value", problem)
    return value


def _constraint_problem(item: str, constraints: dict[str, Any]) -> str:
    allowed = constraints.get("AllowedValues")
    if allowed is not None and item not in allowed:
        return f"a value must be one of AllowedValues {allowed}"
    pattern = constraints.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(pattern, item):
        return f"a value does not match AllowedPattern {pattern!r}"
    if "MinLength" in constraints and len(item) < constraints["MinLength"]:
        return f"a value is shorter than MinLength {constraints['MinLength']}"
    if "MaxLength" in constraints and len(item) > constraints["MaxLength"]:
        return f"a value is longer than MaxLength {constraints['MaxLength']}"
    return ""
