"""Outputs' checks: task outputs (jq ``ValueSelector``), their types, and the template's
``Outputs`` (a mixin of the validator, like :mod:`.loop_checks`)."""
from __future__ import annotations

from typing import Any

from .expressions import PSEUDO_PARAMETERS
from .model import OUTPUT_TYPES
from .parameters import is_expression
from .rules import LOOP_ITEM, PARAMETER_NAME
from .selectors import SelectorError, compile_selector


class OutputChecks:
    """Needs the validator's ``add``, ``check_expressions`` and shared state; see :mod:`.validation`."""

    def check_task_outputs(self, place: str, outputs: Any, scope: tuple[Any, ...]) -> None:
        if outputs is None:
            return
        if not isinstance(outputs, dict):
            self.add(place, "must be a mapping of output name to {ValueSelector, Type}")
            return
        for name, spec in outputs.items():
            where = f"{place}.{name}"
            if not PARAMETER_NAME.match(name):
                self.add(where, "an output name is letters, digits and _, not starting with a digit")
            if not isinstance(spec, dict):
                self.add(where, "must be a mapping {ValueSelector, Type}")
                continue
            for key in spec:
                if key not in ("ValueSelector", "Type"):
                    self.add(f"{where}.{key}", "unknown output attribute")
            self.check_type(f"{where}.Type", spec.get("Type", "String"))
            selector = spec.get("ValueSelector")
            if selector is None:
                self.add(f"{where}.ValueSelector", "required: a jq expression")
            else:
                self.check_selector(f"{where}.ValueSelector", selector, scope)

    def check_type(self, place: str, value: Any) -> None:
        if value not in OUTPUT_TYPES:
            self.add(place, f"must be one of {', '.join(OUTPUT_TYPES)}")

    def check_selector(self, place: str, selector: Any, scope: tuple[Any, ...]) -> None:
        """A jq selector; one with ``{{ … }}`` or an ``Fn::`` call is rendered first at run time,
        so its expressions are checked here and jq only sees the rendered text."""
        if is_expression(selector):
            self.check_expressions(selector, place, *scope)
            return
        if not isinstance(selector, str):
            self.add(place, "must be a jq expression (text)")
            return
        try:
            compile_selector(selector)
        except SelectorError as exc:
            self.add(place, str(exc))

    # -- top-level outputs ------------------------------------------------------------
    def check_top_outputs(self, outputs: Any) -> None:
        if outputs is None:
            return
        if not isinstance(outputs, dict):
            self.add("Outputs", "must be a mapping of output name to {Type, Value}")
            return
        allowed = self.parameter_names | set(PSEUDO_PARAMETERS) - {LOOP_ITEM}
        for name, spec in outputs.items():
            where = f"Outputs.{name}"
            if not isinstance(spec, dict):
                self.add(where, "must be a mapping {Type, Value}")
                continue
            for key in spec:
                if key not in ("Type", "Value", "ValueSelector", "Description"):
                    self.add(f"{where}.{key}", "unknown output attribute")
            self.check_type(f"{where}.Type", spec.get("Type", "String"))
            if "Value" not in spec and "ValueSelector" not in spec:
                self.add(f"{where}.Value", "required: an expression such as '{{ task.Output }}'")
            if "Value" in spec:
                self.check_expressions(spec["Value"], f"{where}.Value", allowed, dict(self.task_outputs))
            if "ValueSelector" in spec:
                self.check_selector(f"{where}.ValueSelector", spec["ValueSelector"],
                                    (allowed, dict(self.task_outputs), ()))
