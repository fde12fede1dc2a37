"""The Loop attribute's checks: items, concurrency, rate control, outputs (a mixin of the validator)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orchestration.actions import get_action

from .model import AGGREGATE_TYPES, BATCH_PAUSE_OPTIONS, LOOP_MODES
from .parameters import is_expression
from .rules import LOOP_KEYS, MAX_LOOP_ITEMS, RATE_CONTROL_KEYS


class LoopChecks:
    """Needs the validator's ``add`` and its shared state; see :mod:`.validation`."""

    def check_loop(self, place: str, loop: Any, allowed: set[str], earlier: dict[str, set[str]],
                   later: Iterable[str], task: dict[str, Any]) -> None:
        if not isinstance(loop, dict):
            self.add(place, "must be a mapping {Items, RateControl | Concurrency/MaxErrors, Outputs}")
            return
        for key in loop:
            if key not in LOOP_KEYS:
                self.add(f"{place}.{key}", "unknown loop attribute")
        if "Items" not in loop:
            self.add(f"{place}.Items", "required: a list or an expression giving one")
        else:
            items = loop["Items"]
            if isinstance(items, list):
                if len(items) > MAX_LOOP_ITEMS:
                    self.add(f"{place}.Items", f"{len(items)} items; a loop runs at most {MAX_LOOP_ITEMS}")
            elif not is_expression(items):
                self.add(f"{place}.Items", "must be a list or an expression giving one")
            self.check_expressions(items, f"{place}.Items", allowed, earlier, later)
        for key, minimum in (("Concurrency", 1), ("MaxErrors", 0)):
            if key in loop:
                self.check_count(f"{place}.{key}", loop[key], minimum)
                self.check_expressions(loop[key], f"{place}.{key}", allowed, earlier, later)
        if loop.get("Mode", "Concurrency") != "Concurrency":
            self.add(f"{place}.Mode", "must be Concurrency here; batches of given sizes need RateControl "
                                      "{Mode: Batch, Batch: [...]}")
        self.check_pause_option(f"{place}.BatchPauseOption", loop)
        if isinstance(loop.get("RateControl"), dict):
            self.check_pause_option(f"{place}.RateControl.BatchPauseOption", loop["RateControl"])
        rc = loop.get("RateControl")
        if rc is not None:
            if ("Concurrency" in loop or "MaxErrors" in loop) and isinstance(rc, dict):
                self.add(f"{place}.RateControl", "use either RateControl or Concurrency/MaxErrors, not both")
            if isinstance(rc, dict):
                self.check_rate_control(f"{place}.RateControl", rc)
            elif is_expression(rc):
                self.check_expressions(rc, f"{place}.RateControl", allowed, earlier, later)
            else:
                self.add(f"{place}.RateControl", "must be a mapping {Mode, Concurrency, MaxErrors, …} or an expression")
        outputs = loop.get("Outputs")
        if outputs is not None:
            self.check_loop_outputs(f"{place}.Outputs", outputs, task)

    def check_rate_control(self, place: str, rc: dict[str, Any]) -> None:
        for key in rc:
            if key not in RATE_CONTROL_KEYS:
                self.add(f"{place}.{key}", "unknown RateControl attribute")
        mode = rc.get("Mode", "Concurrency")
        if mode not in LOOP_MODES:
            self.add(f"{place}.Mode", f"must be one of {', '.join(LOOP_MODES)}")
        if "Concurrency" in rc:
            self.check_count(f"{place}.Concurrency", rc["Concurrency"], 1)
        if "MaxErrors" in rc:
            self.check_count(f"{place}.MaxErrors", rc["MaxErrors"], 0)
        for key in ("Batch", "ConcurrencyInBatches"):
            if key in rc:
                value = rc[key]
                if is_expression(value):
                    continue
                if not isinstance(value, list) or not value:
                    self.add(f"{place}.{key}", "must be a non-empty list of counts or percentages")
                    continue
                for j, v in enumerate(value):
                    self.check_count(f"{place}.{key}[{j}]", v, 1)
        if mode == "Batch" and "Batch" not in rc:
            self.add(f"{place}.Batch", "required when Mode is Batch")
        if mode == "Concurrency" and "Batch" in rc:
            self.add(f"{place}.Batch", "only applies when Mode is Batch")

    def check_pause_option(self, place: str, holder: dict[str, Any]) -> None:
        """``BatchPauseOption`` is a known option or an expression; in a Loop or its RateControl."""
        option = holder.get("BatchPauseOption", "Automatic")
        if option not in BATCH_PAUSE_OPTIONS and not is_expression(option):
            self.add(place, f"must be one of {', '.join(BATCH_PAUSE_OPTIONS)}")

    def check_loop_outputs(self, place: str, outputs: Any, task: dict[str, Any]) -> None:
        if not isinstance(outputs, dict):
            self.add(place, "must be a mapping of output name to {AggregateType, AggregateField}")
            return
        task_outputs = set(task["Outputs"]) if isinstance(task.get("Outputs"), dict) else set()
        for name, spec in outputs.items():
            where = f"{place}.{name}"
            if not isinstance(spec, dict):
                self.add(where, "must be a mapping {AggregateType, AggregateField}")
                continue
            for key in spec:
                if key not in ("AggregateType", "AggregateField", "Type"):
                    self.add(f"{where}.{key}", "unknown loop output attribute")
            if spec.get("AggregateType") not in AGGREGATE_TYPES:
                self.add(f"{where}.AggregateType", f"must be one of {', '.join(AGGREGATE_TYPES)}")
            field_name = spec.get("AggregateField")
            if not isinstance(field_name, str):
                self.add(f"{where}.AggregateField", "required: the name of one of the task's Outputs")
            elif field_name not in task_outputs and get_action(task.get("Action")) is not None:
                # (an action not in the catalog is reported once, at Action; its outputs are unknown)
                self.add(f"{where}.AggregateField", f"'{field_name}' is not one of the task's Outputs")
            if "Type" in spec:
                self.check_type(f"{where}.Type", spec["Type"])
