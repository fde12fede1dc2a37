"""ValidateTemplateContent: every problem in a template, each with its place.

:func:`validate` never raises for bad input — a malformed template yields problems,
a good one yields its :class:`~.model.ParsedTemplate`. Checks run section by section and
keep going after a failure, so an author sees everything at once.

Control-flow decisions (documented because OOS leaves them implicit):

* Tasks run in list order (``OnSuccess`` defaults to ``ACS::NEXT``, ``OnError`` to
  ``ACS::END``); ``OnSuccess``/``OnError``, ``ACS::Choice`` targets and ``Next`` are
  jump edges; a task with ``When`` may also be skipped to the next one.
* **Any cycle in that jump graph is an error.** The engine runs each task execution at
  most once per loop item and a cycle would be an unbounded loop; repeating work is
  what ``Retries`` and ``Loop`` are for. (OOS documents no backward-jump semantics.)
* A task nobody can reach from the first task (or, when ``Next`` is used, from the
  graph's roots) is an error: it is dead code and usually a typo in a jump target.
  (Both checked in ``flow``.)
* An expression may use parameters, pseudo-parameters and outputs of tasks *earlier in
  the list*; ``ACS::TaskLoopItem`` only in the Properties/When/Outputs of a looping task.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema

from orchestration.actions import Action, get_action

from .durations import parse_duration
from .expressions import PSEUDO_PARAMETERS, iter_syntax_problems, reference_details
from .flow import flow_problems
from .loading import check_json_compatible, load_content
from .model import (
    AGGREGATE_TYPES,
    BATCH_PAUSE_OPTIONS,
    FORMAT_VERSION,
    LOOP_MODES,
    OUTPUT_TYPES,
    PARAMETER_TYPES,
    ParameterSpec,
    ParsedTemplate,
)
from .parameters import ParameterError, coerce_parameter, is_expression
from .problems import Problem, TemplateInvalid
from .selectors import SelectorError, compile_selector

TOP_LEVEL_KEYS = (
    "FormatVersion", "Description", "Parameters", "Tasks", "Outputs", "Conditions", "RamRole", "Metadata",
    "X-Baidu",
)
TASK_KEYS = (
    "Name", "Action", "Description", "Properties", "Outputs", "OnSuccess", "OnError", "When", "Loop",
    "Retries", "RetryInterval", "Timeout", "Manually", "ScheduleDelay", "PauseOnFailure", "Next", "X-Baidu",
)
PARAMETER_KEYS = (
    "Type", "Default", "AllowedValues", "AllowedPattern", "MinLength", "MaxLength", "MinValue", "MaxValue",
    "Description", "Label", "AssociationProperty", "AssociationPropertyMetadata", "NoEcho",
)
LOOP_KEYS = ("Items", "Concurrency", "MaxErrors", "RateControl", "Outputs")
RATE_CONTROL_KEYS = ("Mode", "Concurrency", "MaxErrors", "Batch", "ConcurrencyInBatches", "BatchPauseOption")
TASK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
PERCENT = re.compile(r"^(100|[1-9]?[0-9])%$")
MAX_LOOP_ITEMS = 1000
MAX_TASKS = 1000
LOOP_ITEM = "ACS::TaskLoopItem"


@dataclass(frozen=True)
class Validated:
    """Result of :func:`validate`: ``parsed`` is set exactly when ``problems`` is empty."""

    parsed: ParsedTemplate | None
    problems: list[Problem] = field(default_factory=list)
    format: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(content: str | dict[str, Any]) -> Validated:
    """Validate template text (JSON/YAML) or an already loaded mapping."""
    fmt = None
    if isinstance(content, str):
        try:
            loaded = load_content(content)
        except TemplateInvalid as exc:
            return Validated(None, exc.problems)
        data, fmt = loaded.data, loaded.format
    elif isinstance(content, dict):
        why = check_json_compatible(content)
        if why:
            return Validated(None, [Problem("Content", why)])
        data = content
    else:
        return Validated(None, [Problem("Content", "the top level must be a mapping")])
    checker = _Checker(data)
    checker.run()
    if checker.problems:
        return Validated(None, checker.problems, fmt)
    return Validated(ParsedTemplate.from_dict(data), [], fmt)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _path(base: str, parts: Iterable[Any]) -> str:
    out = base
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


@lru_cache(maxsize=256)
def _schema_validator(action: type[Action]) -> Any:
    cls = jsonschema.validators.validator_for(action.properties_schema)
    return cls(action.properties_schema)


class _Checker:
    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[Problem] = []
        self.parameter_names: set[str] = set()
        self.task_names: dict[str, int] = {}
        self.task_outputs: dict[str, set[str]] = {}
        self.condition_names: set[str] = set()

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))

    # -- top level --------------------------------------------------------------------
    def run(self) -> None:
        data = self.data
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                self.add(key, f"unknown top-level key (allowed: {', '.join(TOP_LEVEL_KEYS)})")
        version = data.get("FormatVersion")
        if version is None:
            self.add("FormatVersion", f"required; must be {FORMAT_VERSION}")
        elif version != FORMAT_VERSION:
            self.add("FormatVersion", f"must be {FORMAT_VERSION}, not {version!r}")
        if "Description" in data and not isinstance(data["Description"], (str, dict)):
            self.add("Description", "must be text (or a mapping of language to text)")
        self.check_parameters(data.get("Parameters"))
        self.check_conditions(data.get("Conditions"))
        tasks = self.check_tasks(data.get("Tasks"))
        self.check_top_outputs(data.get("Outputs"))
        if tasks is not None:
            self.problems.extend(flow_problems(tasks, self.task_names))

    # -- parameters -------------------------------------------------------------------
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
                if not _is_int(spec[key]) or spec[key] < 0:
                    self.add(f"{place}.{key}", "must be a whole number >= 0")
                    ok = False
                elif ptype not in ("String", "List"):
                    self.add(f"{place}.{key}", f"does not apply to Type {ptype}")
                    ok = False
        for key in ("MinValue", "MaxValue"):
            if key in spec:
                if not _is_number(spec[key]):
                    self.add(f"{place}.{key}", "must be a number")
                    ok = False
                elif ptype != "Number":
                    self.add(f"{place}.{key}", f"does not apply to Type {ptype}")
                    ok = False
        for low, high in (("MinLength", "MaxLength"), ("MinValue", "MaxValue")):
            lo, hi = spec.get(low), spec.get(high)
            if _is_number(lo) and _is_number(hi) and lo > hi:
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

    # -- conditions -------------------------------------------------------------------
    def check_conditions(self, conditions: Any) -> None:
        if conditions is None:
            return
        if not isinstance(conditions, dict):
            self.add("Conditions", "must be a mapping of condition name to expression")
            return
        self.condition_names = set(conditions)
        allowed = self.parameter_names | set(PSEUDO_PARAMETERS) - {LOOP_ITEM}
        for name, expr in conditions.items():
            place = f"Conditions.{name}"
            self.check_expressions(expr, place, allowed, {})

    # -- expressions ------------------------------------------------------------------
    def check_expressions(
        self, value: Any, place: str, allowed: set[str], earlier_tasks: dict[str, set[str]],
        later_tasks: Iterable[str] = (),
    ) -> None:
        for where, message in iter_syntax_problems(value, place):
            self.add(where, message)
        later = set(later_tasks)
        for root, attr, where in reference_details(value, place):
            if root in allowed:
                continue
            if root in earlier_tasks:
                outputs = earlier_tasks[root]
                if attr is not None and attr not in outputs:
                    known = ", ".join(sorted(outputs)) or "none"
                    self.add(where, f"task '{root}' has no output '{attr}' (outputs: {known})")
                continue
            if root == LOOP_ITEM:
                self.add(where, f"{LOOP_ITEM} is only defined inside a task with a Loop")
            elif root in later:
                self.add(where, f"'{root}' is a task that has not run yet at this point")
            else:
                self.add(where, f"undefined reference '{root}'")

    # -- tasks ------------------------------------------------------------------------
    def check_tasks(self, tasks: Any) -> list[dict[str, Any]] | None:
        if tasks is None:
            self.add("Tasks", "required: a non-empty list of tasks")
            return None
        if not isinstance(tasks, list) or not tasks:
            self.add("Tasks", "must be a non-empty list of tasks")
            return None
        if len(tasks) > MAX_TASKS:
            self.add("Tasks", f"at most {MAX_TASKS} tasks")
            return None
        good: list[dict[str, Any]] = []
        names_in_order: list[str] = []
        for i, task in enumerate(tasks):
            place = f"Tasks[{i}]"
            if not isinstance(task, dict):
                self.add(place, "must be a mapping (Name, Action, Properties, …)")
                names_in_order.append("")
                continue
            name = task.get("Name")
            if not isinstance(name, str) or not TASK_NAME.match(name):
                self.add(f"{place}.Name", "required: letters, digits, _ and -, at most 200")
                names_in_order.append("")
            elif name in self.task_names:
                self.add(f"{place}.Name", f"duplicate task name '{name}' (also Tasks[{self.task_names[name]}])")
                names_in_order.append("")
            else:
                self.task_names[name] = i
                names_in_order.append(name)
        for i, task in enumerate(tasks):
            if isinstance(task, dict):
                later = names_in_order[i:]
                self.check_task(i, task, later)
                good.append(task)
            if names_in_order[i]:
                self.task_outputs[names_in_order[i]] = self._task_output_names(task)
        return tasks if len(good) == len(tasks) else None

    @staticmethod
    def _task_output_names(task: Any) -> set[str]:
        if not isinstance(task, dict):
            return set()
        names: set[str] = set()
        if isinstance(task.get("Outputs"), dict):
            names |= set(task["Outputs"])
        loop = task.get("Loop")
        if isinstance(loop, dict) and isinstance(loop.get("Outputs"), dict):
            names |= set(loop["Outputs"])
        return names

    def check_task(self, i: int, task: dict[str, Any], later: list[str]) -> None:
        place = f"Tasks[{i}]"
        for key in task:
            if key not in TASK_KEYS:
                self.add(f"{place}.{key}", "unknown task attribute")
        action_name = task.get("Action")
        action = None
        if not isinstance(action_name, str) or not action_name:
            self.add(f"{place}.Action", "required: the name of an action, e.g. ACS::Sleep")
        else:
            action = get_action(action_name)
            if action is None:
                self.add(f"{place}.Action", f"unknown action '{action_name}'")
        props = task.get("Properties", {})
        if props is None:
            props = {}
        if not isinstance(props, dict):
            self.add(f"{place}.Properties", "must be a mapping")
            props = {}
        elif action is not None:
            self.check_schema(f"{place}.Properties", action, props)
        loop = task.get("Loop")
        in_loop = isinstance(loop, dict)
        base = self.parameter_names | set(PSEUDO_PARAMETERS)
        allowed = base if in_loop else base - {LOOP_ITEM}
        earlier = dict(self.task_outputs)
        self.check_expressions(props, f"{place}.Properties", allowed, earlier, later)
        if "When" in task:
            self.check_when(f"{place}.When", task["When"], allowed, earlier, later)
        if "Description" in task and not isinstance(task["Description"], (str, dict)):
            self.add(f"{place}.Description", "must be text")
        self.check_task_outputs(f"{place}.Outputs", task.get("Outputs"))
        for key in ("OnSuccess", "OnError"):
            if key in task:
                target = task[key]
                if not isinstance(target, str):
                    self.add(f"{place}.{key}", "must be a task name, ACS::NEXT or ACS::END")
        if loop is not None:
            self.check_loop(f"{place}.Loop", loop, base - {LOOP_ITEM}, earlier, later, task)
        if "Retries" in task and not (_is_int(task["Retries"]) and 0 <= task["Retries"] <= 100):
            self.add(f"{place}.Retries", "must be a whole number from 0 to 100")
        for key in ("RetryInterval", "Timeout", "ScheduleDelay"):
            if key in task:
                try:
                    parse_duration(task[key])
                except ValueError as exc:
                    self.add(f"{place}.{key}", str(exc))
        for key in ("Manually", "PauseOnFailure"):
            if key in task and not isinstance(task[key], bool):
                self.add(f"{place}.{key}", "must be true or false")
        if "Next" in task:
            nxt = task["Next"]
            if not isinstance(nxt, list) or not all(isinstance(n, str) for n in nxt):
                self.add(f"{place}.Next", "must be a list of task names")
        if "X-Baidu" in task and not isinstance(task["X-Baidu"], dict):
            self.add(f"{place}.X-Baidu", "must be a mapping")

    def check_schema(self, place: str, action: type[Action], props: dict[str, Any]) -> None:
        validator = _schema_validator(action)
        for error in validator.iter_errors(props):
            path = list(error.absolute_path)
            node: Any = props
            skip = is_expression(node)
            for part in path:
                try:
                    node = node[part]
                except (KeyError, IndexError, TypeError):
                    break
                if is_expression(node):
                    skip = True
                    break
            if skip or is_expression(error.instance):
                continue
            message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
            self.add(_path(place, path), message)

    def check_when(self, place: str, when: Any, allowed: set[str], earlier: dict[str, set[str]],
                   later: Iterable[str]) -> None:
        if isinstance(when, bool):
            return
        if isinstance(when, str) and "{{" not in when:
            if when not in self.condition_names and when.lower() not in ("true", "false"):
                self.add(place, f"'{when}' is not a condition in Conditions (nor an expression)")
            return
        if not isinstance(when, (str, dict)):
            self.add(place, "must be a boolean, an expression, a Fn:: function or a condition name")
            return
        self.check_expressions(when, place, allowed, earlier, later)

    def check_task_outputs(self, place: str, outputs: Any) -> None:
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
                self.check_selector(f"{where}.ValueSelector", selector)

    def check_type(self, place: str, value: Any) -> None:
        if value not in OUTPUT_TYPES:
            self.add(place, f"must be one of {', '.join(OUTPUT_TYPES)}")

    def check_selector(self, place: str, selector: Any) -> None:
        if not isinstance(selector, str):
            self.add(place, "must be a jq expression (text)")
            return
        try:
            compile_selector(selector)
        except SelectorError as exc:
            self.add(place, str(exc))

    # -- loops ------------------------------------------------------------------------
    def check_count(self, place: str, value: Any, minimum: int) -> None:
        if is_expression(value):
            return
        if _is_int(value) and value >= minimum:
            return
        if isinstance(value, str) and PERCENT.match(value):
            return
        self.add(place, f"must be a whole number >= {minimum} or a percentage like '50%'")

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
        if "Concurrency" in loop:
            self.check_count(f"{place}.Concurrency", loop["Concurrency"], 1)
        if "MaxErrors" in loop:
            self.check_count(f"{place}.MaxErrors", loop["MaxErrors"], 0)
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
        if "BatchPauseOption" in rc and rc["BatchPauseOption"] not in BATCH_PAUSE_OPTIONS:
            self.add(f"{place}.BatchPauseOption", f"must be one of {', '.join(BATCH_PAUSE_OPTIONS)}")

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
            elif field_name not in task_outputs:
                self.add(f"{where}.AggregateField", f"'{field_name}' is not one of the task's Outputs")
            if "Type" in spec:
                self.check_type(f"{where}.Type", spec["Type"])

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
                self.check_selector(f"{where}.ValueSelector", spec["ValueSelector"])
