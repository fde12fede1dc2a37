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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema

from orchestration.actions import Action, all_actions, get_action

from .cloud import product_of, unknown_action_message, unknown_pseudo_message
from .durations import parse_duration
from .expressions import PSEUDO_PARAMETERS, iter_syntax_problems, match_name, reference_details
from .flow import flow_problems
from .loading import check_json_compatible, load_content
from .loop_checks import LoopChecks
from .model import DELAY_TYPES, FORMAT_VERSION, ParsedTemplate
from .output_checks import OutputChecks
from .parameter_checks import ParameterChecks
from .parameters import is_expression
from .problems import Problem, TemplateInvalid, did_you_mean
from .public_parameters import UnknownParameter, checkable, is_reference, resolve_reference
from .rules import (
    LOOP_ITEM,
    MAX_RETRIES,
    MAX_TASKS,
    PERCENT,
    TASK_KEYS,
    TASK_NAME,
    TOP_LEVEL_KEYS,
    is_int,
    is_number,
    path_of,
)


@dataclass(frozen=True)
class Validated:
    """Result of :func:`validate`: ``parsed`` is set exactly when ``problems`` is empty."""

    parsed: ParsedTemplate | None
    problems: list[Problem] = field(default_factory=list)
    format: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(content: str | dict[str, Any], context: Mapping[str, Any] | None = None) -> Validated:
    """Validate template text (JSON/YAML) or a loaded mapping; with the tenant in ``context``
    (``ACS::AccountId``), ``oos:``/``oos-secret:`` references are checked against its store."""
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
    checker = _Checker(data, context or {})
    checker.run()
    if checker.problems:
        return Validated(None, checker.problems, fmt)
    return Validated(ParsedTemplate.from_dict(data), [], fmt)


def _in_catalog(name: str) -> bool:
    return get_action(name) is not None


@lru_cache(maxsize=256)
def _schema_validator(action: type[Action]) -> Any:
    cls = jsonschema.validators.validator_for(action.properties_schema)
    return cls(action.properties_schema)


def _property_hints(instance: dict[str, Any], schema: dict[str, Any]) -> str:
    """"did you mean" for each unexpected property that is a near miss of a declared one."""
    declared = schema.get("properties") or {}
    hints = [did_you_mean(str(key), declared) for key in instance if key not in declared]
    return "".join(hint for hint in hints if hint)


class _Checker(ParameterChecks, LoopChecks, OutputChecks):
    def __init__(self, data: dict[str, Any], context: Mapping[str, Any]):
        self.data = data
        self.context = context
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
                hint = did_you_mean(str(key), TOP_LEVEL_KEYS)
                self.add(key, f"unknown top-level key{hint} (allowed: {', '.join(TOP_LEVEL_KEYS)})")
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
            root = match_name(root, [*allowed, *earlier_tasks, *later]) or root
            if root in allowed:
                continue
            if root in earlier_tasks:
                outputs = earlier_tasks[root]
                if attr is not None and match_name(attr, outputs) is None:
                    known = ", ".join(sorted(outputs)) or "none"
                    self.add(where, f"task '{root}' has no output '{attr}' (outputs: {known})")
                continue
            if is_reference(root):
                self.check_public_parameter(where, root)
            elif unknown_pseudo_message(root):
                self.add(where, unknown_pseudo_message(root))
            elif root == LOOP_ITEM:
                self.add(where, f"{LOOP_ITEM} is only defined inside a task with a Loop")
            elif root in later:
                self.add(where, f"'{root}' is a task that has not run yet at this point")
            else:
                self.add(where, f"undefined reference '{root}'")

    def check_public_parameter(self, place: str, reference: str) -> None:
        if not checkable(reference, self.context):
            return
        try:
            resolve_reference(reference, self.context)
        except UnknownParameter as exc:
            self.add(place, str(exc))

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
                self.add(f"{place}.{key}", f"unknown task attribute{did_you_mean(str(key), TASK_KEYS)}")
        action_name = task.get("Action")
        action = None
        if not isinstance(action_name, str) or not action_name:
            self.add(f"{place}.Action", "required: the name of an action, e.g. ACS::Sleep")
        else:
            action = get_action(action_name)
            if action is None:
                message = unknown_action_message(action_name, _in_catalog)
                if not product_of(action_name):  # a typo, not another cloud's action
                    message += did_you_mean(action_name, (a.name for a in all_actions()))
                self.add(f"{place}.Action", message)
        props = task.get("Properties", {})
        if props is None:
            props = {}
        if not isinstance(props, dict):
            self.add(f"{place}.Properties", "must be a mapping")
            props = {}
        elif action is not None:
            self.check_schema(f"{place}.Properties", action, props)
        if action is not None:
            for where, message in action.template_problems(props, i, self.data.get("Tasks") or []):
                self.add(f"{place}.{where}", message)
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
        self.check_task_outputs(f"{place}.Outputs", task.get("Outputs"), (allowed, earlier, later))
        for key in ("OnSuccess", "OnError"):
            if key in task:
                target = task[key]
                if not isinstance(target, str):
                    self.add(f"{place}.{key}", "must be a task name, ACS::NEXT or ACS::END")
        if loop is not None:
            self.check_loop(f"{place}.Loop", loop, base - {LOOP_ITEM}, earlier, later, task)
        if "Retries" in task and not (is_int(task["Retries"]) and 0 <= task["Retries"] <= MAX_RETRIES):
            self.add(f"{place}.Retries", f"must be a whole number from 0 to {MAX_RETRIES}")
        if "DelayType" in task and task["DelayType"] not in DELAY_TYPES:
            self.add(f"{place}.DelayType", f"must be one of {', '.join(DELAY_TYPES)}")
        if "BackOff" in task and not (is_number(task["BackOff"]) and 1 <= task["BackOff"] <= 10):
            self.add(f"{place}.BackOff", "must be a number from 1 to 10 (the growth of the delay per try)")
        for key in ("RetryInterval", "Timeout", "ScheduleDelay", "Delay", "MaxRetryInterval"):
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
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                message += _property_hints(error.instance, error.schema)
            self.add(path_of(place, path), message)

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

    # -- loops ------------------------------------------------------------------------
    def check_count(self, place: str, value: Any, minimum: int) -> None:
        if is_expression(value):
            return
        if is_int(value) and value >= minimum:
            return
        if isinstance(value, str) and PERCENT.match(value):
            return
        self.add(place, f"must be a whole number >= {minimum} or a percentage like '50%'")
