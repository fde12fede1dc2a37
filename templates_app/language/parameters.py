"""Checking and converting execution parameters against a template's ``Parameters``.

StartExecution calls :func:`resolve_parameters`; the validator calls
:func:`coerce_parameter` on each ``Default`` so a template cannot ship a default that
breaks its own constraints. Values arriving as text (query strings, forms) are converted
to the declared Type, since several API faces can only send strings.
"""

from __future__ import annotations

import re
from typing import Any

from orchestration import request_limits

from .model import NO_DEFAULT, ParameterSpec
from .problems import ParametersInvalid, Problem


class ParameterError(ValueError):
    """One parameter value that does not fit its spec."""

    def __init__(self, name: str, message: str):
        self.name = name
        self.message = message
        super().__init__(f"parameter {name}: {message}")


def is_expression(value: Any) -> bool:
    """True for values rendered at run time (``{{ … }}`` text or a ``Fn::``/``Ref`` call)."""
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return isinstance(key, str) and (key.startswith("Fn::") or key == "Ref")
    return False


def _to_type(spec: ParameterSpec, value: Any) -> Any:
    t = spec.type
    if t == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):  # OOS is loose here too: a YAML `false` default is the text false
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        raise ParameterError(spec.name, f"expected a String, got {type(value).__name__}")
    if t == "Number":
        if isinstance(value, bool):
            raise ParameterError(spec.name, "expected a Number, got a Boolean")
        if isinstance(value, (int, float)):
            if value != value or value in (float("inf"), float("-inf")):
                raise ParameterError(spec.name, "expected a finite Number")
            return value
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise ParameterError(spec.name, f"expected a Number, got {value!r}") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise ParameterError(spec.name, "expected a finite Number")
            return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
        raise ParameterError(spec.name, f"expected a Number, got {type(value).__name__}")
    if t == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ParameterError(spec.name, f"expected a Boolean (true or false), got {value!r}")
    if t == "List":
        if isinstance(value, str) and _one_allowed_value(spec, value):
            return [value]  # OOS is loose: one allowed value (`Default: InService`) is a one-item list
        if isinstance(value, str):
            try:
                value = request_limits.loads(value)
            except ValueError:
                raise ParameterError(spec.name, "expected a List (a JSON array)") from None
        if isinstance(value, list):
            return value
        raise ParameterError(spec.name, f"expected a List, got {type(value).__name__}")
    if t == "Json":
        if isinstance(value, str):
            try:
                value = request_limits.loads(value)
            except ValueError:
                raise ParameterError(spec.name, "expected Json (an object or array)") from None
        if isinstance(value, (dict, list)):
            return value
        raise ParameterError(spec.name, f"expected Json (an object or array), got {type(value).__name__}")
    raise ParameterError(spec.name, f"unknown Type {t!r}")


def _one_allowed_value(spec: ParameterSpec, value: str) -> bool:
    allowed = spec.allowed_values if isinstance(spec.allowed_values, list) else []
    return _loose(value) in {_loose(a) for a in allowed}


def coerce_parameter(spec: ParameterSpec, value: Any) -> Any:
    """``value`` converted to ``spec.type`` and checked against every constraint.

    Raises :class:`ParameterError` naming the parameter and the broken rule.
    """
    value = _to_type(spec, value)
    try:
        return _check_constraints(spec, value)
    except ParameterError as exc:
        described = _constraint_description(spec)
        if described:
            raise ParameterError(spec.name, f"{exc.message} ({described})") from None
        raise


def _constraint_description(spec: ParameterSpec) -> str:
    """OOS's ``ConstraintDescription``: what the author says the constraints mean (text or {lang: text})."""
    text = spec.extra.get("ConstraintDescription")
    if isinstance(text, dict):
        text = text.get("en") or next((v for v in text.values() if isinstance(v, str)), "")
    return text.strip()[:500] if isinstance(text, str) else ""


def _loose(value: Any) -> Any:
    """OOS compares AllowedValues loosely: ``'0'`` matches ``0``, ``'true'`` matches ``true``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value if isinstance(value, str) else repr(value)


def _check_constraints(spec: ParameterSpec, value: Any) -> Any:
    name = spec.name
    elements = value if isinstance(value, list) else [value]
    if spec.allowed_values is not None:
        allowed = spec.allowed_values if isinstance(spec.allowed_values, list) else [spec.allowed_values]
        for element in elements if spec.type == "List" else [value]:
            if element not in allowed and _loose(element) not in {_loose(a) for a in allowed}:
                raise ParameterError(name, f"{element!r} is not one of AllowedValues {allowed!r}")
    if spec.allowed_pattern is not None:
        try:
            pattern = re.compile(str(spec.allowed_pattern))
        except re.error as exc:
            raise ParameterError(name, f"AllowedPattern is not a valid regular expression: {exc}") from None
        for element in elements:
            if isinstance(element, str) and not pattern.fullmatch(element):
                raise ParameterError(name, f"{element!r} does not match AllowedPattern {spec.allowed_pattern!r}")
    if isinstance(value, (str, list)):
        if spec.min_length is not None and len(value) < spec.min_length:
            raise ParameterError(name, f"length {len(value)} is below MinLength {spec.min_length}")
        if spec.max_length is not None and len(value) > spec.max_length:
            raise ParameterError(name, f"length {len(value)} is above MaxLength {spec.max_length}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if spec.min_value is not None and value < spec.min_value:
            raise ParameterError(name, f"{value} is below MinValue {spec.min_value}")
        if spec.max_value is not None and value > spec.max_value:
            raise ParameterError(name, f"{value} is above MaxValue {spec.max_value}")
    return value


def resolve_parameters(specs: dict[str, ParameterSpec], given: dict[str, Any] | None) -> dict[str, Any]:
    """Every parameter's value for an execution: given values coerced, defaults applied.

    Collects all problems (unknown names, missing required values, bad values) and raises
    :class:`ParametersInvalid` with one :class:`Problem` per parameter (place
    ``Parameters.<name>``). Defaults that are expressions are returned unrendered.
    """
    given = dict(given or {})
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name in given:
        if name not in specs:
            problems.append(Problem(f"Parameters.{name}", "unknown parameter"))
    for name, spec in specs.items():
        if name in given:
            try:
                values[name] = coerce_parameter(spec, given[name])
            except ParameterError as exc:
                problems.append(Problem(f"Parameters.{name}", exc.message))
        elif spec.default is NO_DEFAULT:
            problems.append(Problem(f"Parameters.{name}", "required (it has no Default)"))
        elif is_expression(spec.default):
            values[name] = spec.default
        else:
            try:
                values[name] = coerce_parameter(spec, spec.default)
            except ParameterError as exc:
                problems.append(Problem(f"Parameters.{name}", f"Default: {exc.message}"))
    if problems:
        raise ParametersInvalid(problems)
    return values
