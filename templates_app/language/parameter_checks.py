"""The Parameters section's checks (a mixin of the validator)."""
from __future__ import annotations

import re
from typing import Any

from .model import PARAMETER_TYPES, ParameterSpec
from .parameters import ParameterError, coerce_parameter, is_expression
from .rules import PARAMETER_KEYS, PARAMETER_NAME, is_int, is_number


class ParameterChecks:
    """Needs the validator's ``add`` and its shared state; see :mod:`.validation`."""

    def check_parameters(self, params: Any) -> None:
        if params is None:
            return
        if not isinstance(params, dict):
            self.add("Parameters", "must be a mapping of parameter name to its spec")
            return
        for name, spec in params.items():
            place = f"Parameters.{name}"
            if not PARAMETER_NAME.match(name):
                self.add(place, "a parameter name is letters, digits and _, not starting with a digit (max 200)")
            self.parameter_names.add(name)
            if not isinstance(spec, dict):
                self.add(place, "must be a mapping (Type, Default, …)")
                continue
            self.check_parameter(place, name, spec)

    def check_parameter(self, place: str, name: str, spec: dict[str, Any]) -> None:
        ok = True
        for key in spec:
            if key not in PARAMETER_KEYS:
                self.add(f"{place}.{key}", "unknown parameter attribute")
        ptype = spec.get("Type")
        if ptype is None:
            self.add(f"{place}.Type", f"required: one of {', '.join(PARAMETER_TYPES)}")
            return
        if ptype not in PARAMETER_TYPES:
            self.add(f"{place}.Type", f"must be one of {', '.join(PARAMETER_TYPES)}, not {ptype!r}")
            return
        if "AllowedValues" in spec and not (isinstance(spec["AllowedValues"], list) and spec["AllowedValues"]):
            self.add(f"{place}.AllowedValues", "must be a non-empty list")
            ok = False
        if "AllowedPattern" in spec:
            pattern = spec["AllowedPattern"]
            if not isinstance(pattern, str):
                self.add(f"{place}.AllowedPattern", "must be a regular expression (text)")
                ok = False
            else:
                try:
                    re.compile(pattern)
                except (re.error, RecursionError, OverflowError) as exc:
                    self.add(f"{place}.AllowedPattern", f"not a valid regular expression: {exc}")
                    ok = False
            if ptype not in ("String", "List"):
                self.add(f"{place}.AllowedPattern", f"does not apply to Type {ptype}")
                ok = False
        for key in ("MinLength", "MaxLength"):
            if key in spec:
                if not is_int(spec[key]) or spec[key] < 0:
                    self.add(f"{place}.{key}", "must be a whole number >= 0")
                    ok = False
                elif ptype not in ("String", "List"):
                    self.add(f"{place}.{key}", f"does not apply to Type {ptype}")
                    ok = False
        for key in ("MinValue", "MaxValue"):
            if key in spec:
                if not is_number(spec[key]):
                    self.add(f"{place}.{key}", "must be a number")
                    ok = False
                elif ptype != "Number":
                    self.add(f"{place}.{key}", f"does not apply to Type {ptype}")
                    ok = False
        for low, high in (("MinLength", "MaxLength"), ("MinValue", "MaxValue")):
            lo, hi = spec.get(low), spec.get(high)
            if is_number(lo) and is_number(hi) and lo > hi:
                self.add(f"{place}.{low}", f"is greater than {high}")
                ok = False
        if ok and "Default" in spec and not is_expression(spec["Default"]):
            try:
                coerce_parameter(ParameterSpec.from_dict(name, spec), spec["Default"])
            except ParameterError as exc:
                self.add(f"{place}.Default", f"breaks its own constraints: {exc.message}")
        if ok and isinstance(spec.get("AllowedValues"), list):
            for i, value in enumerate(spec["AllowedValues"]):
                probe = {k: v for k, v in spec.items() if k not in ("AllowedValues", "Default")}
                check = [value] if ptype == "List" and not isinstance(value, list) else value
                try:
                    coerce_parameter(ParameterSpec.from_dict(name, probe), check)
                except ParameterError as exc:
                    self.add(f"{place}.AllowedValues[{i}]", exc.message)
