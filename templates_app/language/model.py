"""The parsed form of a template: what the engine runs.

Frozen dataclasses built by :func:`templates_app.language.validation.validate` only from
content that passed every check, so the engine can trust their shapes. ``from_dict``
constructors normalise OOS's alternative spellings (both Loop forms, durations as
numbers or ISO 8601) into one form; values that are expressions stay as they are and
are rendered at run time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .durations import parse_duration

FORMAT_VERSION = "OOS-2019-06-01"
NEXT = "ACS::NEXT"
END = "ACS::END"
PARAMETER_TYPES = ("String", "Number", "Boolean", "List", "Json")
OUTPUT_TYPES = PARAMETER_TYPES
LOOP_MODES = ("Concurrency", "Batch")
DELAY_TYPES = ("Constant", "Exponential")
BATCH_PAUSE_OPTIONS = ("Automatic", "FirstBatchPause", "EveryBatchPause")
AGGREGATE_TYPES = ("Fn::ListJoin", "Fn::Sum", "Fn::Max", "Fn::Min", "Fn::First", "Fn::Last", "Fn::MergeMap")


class _NoDefault:
    """Sentinel: the parameter has no Default, so it is required."""

    _instance: _NoDefault | None = None

    def __new__(cls) -> _NoDefault:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __bool__(self) -> bool:
        return False


NO_DEFAULT: Any = _NoDefault()

_PARAM_KEYS = {
    "Type": "type",
    "Default": "default",
    "AllowedValues": "allowed_values",
    "AllowedPattern": "allowed_pattern",
    "MinLength": "min_length",
    "MaxLength": "max_length",
    "MinValue": "min_value",
    "MaxValue": "max_value",
    "Description": "description",
    "Label": "label",
}


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type: str = "String"
    default: Any = NO_DEFAULT
    allowed_values: list[Any] | None = None
    allowed_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    description: Any = ""
    label: Any = ""
    extra: dict[str, Any] = field(default_factory=dict)  # AssociationProperty etc., kept verbatim

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    @classmethod
    def from_dict(cls, name: str, spec: dict[str, Any]) -> ParameterSpec:
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in spec.items():
            if key in _PARAM_KEYS:
                kwargs[_PARAM_KEYS[key]] = value
            else:
                extra[key] = value
        return cls(name=name, extra=extra, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The spec in template spelling (ValidateTemplateContent's ``Parameters``)."""
        out: dict[str, Any] = {}
        for key, attr in _PARAM_KEYS.items():
            value = getattr(self, attr)
            if attr == "default":
                if value is not NO_DEFAULT:
                    out[key] = value
            elif attr == "type" or value not in (None, ""):
                out[key] = value
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class OutputSpec:
    """A task output (``ValueSelector`` jq), loop output (``AggregateType``/``AggregateField``)
    or top-level output (``Value`` expression)."""

    name: str
    value_selector: str | None = None
    type: str = "String"
    value: Any = None
    aggregate_type: str | None = None
    aggregate_field: str | None = None

    @classmethod
    def from_dict(cls, name: str, spec: dict[str, Any]) -> OutputSpec:
        return cls(
            name=name,
            value_selector=spec.get("ValueSelector"),
            type=spec.get("Type", "String"),
            value=spec.get("Value"),
            aggregate_type=spec.get("AggregateType"),
            aggregate_field=spec.get("AggregateField"),
        )


def outputs_from_dict(spec: Any) -> dict[str, OutputSpec]:
    if not isinstance(spec, dict):
        return {}
    return {k: OutputSpec.from_dict(k, v) for k, v in spec.items() if isinstance(v, dict)}


@dataclass(frozen=True)
class LoopSpec:
    """One loop, whichever way the template spelled it.

    ``concurrency``/``max_errors`` are an int or a percentage text ``"N%"`` (of the item
    count; see :func:`count_from`) or, when the template computes them, an expression.
    ``rate_control`` keeps a ``RateControl`` given as a whole expression (e.g.
    ``{{ rateControl }}``), which the engine renders and feeds to :meth:`from_dict` again.
    ``batch_pause_option`` (possibly an expression) pauses between batches; without a
    ``Batch`` list, a batch is ``concurrency`` items (OOS's Loop-level ``BatchPauseOption``).
    """

    items: Any
    concurrency: Any = 1
    max_errors: Any = 0
    mode: str = "Concurrency"
    batch: list[Any] = field(default_factory=list)
    concurrency_in_batches: list[Any] = field(default_factory=list)
    batch_pause_option: str = "Automatic"
    outputs: dict[str, OutputSpec] = field(default_factory=dict)
    rate_control: Any = None

    @classmethod
    def from_dict(cls, loop: dict[str, Any]) -> LoopSpec:
        """Normalise ``{Items, Concurrency, MaxErrors, Outputs}`` and
        ``{Items, RateControl: {Mode, Concurrency, MaxErrors, Batch, ...}, Outputs}``."""
        rc = loop.get("RateControl")
        outputs = outputs_from_dict(loop.get("Outputs"))
        if isinstance(rc, dict):
            return cls(
                items=loop.get("Items"),
                concurrency=rc.get("Concurrency", loop.get("Concurrency", 1)),
                max_errors=rc.get("MaxErrors", loop.get("MaxErrors", 0)),
                mode=rc.get("Mode", "Concurrency"),
                batch=list(rc.get("Batch") or []),
                concurrency_in_batches=list(rc.get("ConcurrencyInBatches") or []),
                batch_pause_option=rc.get("BatchPauseOption", "Automatic"),
                outputs=outputs,
            )
        return cls(
            items=loop.get("Items"),
            concurrency=loop.get("Concurrency", 1),
            max_errors=loop.get("MaxErrors", 0),
            mode=loop.get("Mode", "Concurrency"),
            batch_pause_option=loop.get("BatchPauseOption", "Automatic"),
            outputs=outputs,
            rate_control=rc,
        )


def count_from(value: int | str, total: int) -> int:
    """An absolute count from ``value`` (int, or ``"N%"`` of ``total``, rounded up, >= 1 if N > 0)."""
    if isinstance(value, str) and value.endswith("%"):
        pct = float(value[:-1])
        return max(1, math.ceil(total * pct / 100)) if pct > 0 else 0
    return int(value)


_TASK_KEYS = (
    "Name", "Action", "Description", "Properties", "Outputs", "OnSuccess", "OnError", "When",
    "Loop", "Retries", "RetryInterval", "Timeout", "Manually", "ScheduleDelay", "PauseOnFailure",
    "Next", "X-Baidu", "Delay", "DelayType", "BackOff", "MaxRetryInterval",
)


@dataclass(frozen=True)
class TaskSpec:
    """One task. ``next`` lists DAG successors (Baidu links); empty means the task is
    followed by ``on_success`` (default ``ACS::NEXT``, the next task in the list).
    Durations (``retry_interval``, ``timeout``, ``schedule_delay``, ``delay``) are seconds.

    ``Delay``/``DelayType``/``BackOff``/``MaxRetryInterval`` are OOS's spelling of the wait
    between tries: ``Delay`` replaces ``RetryInterval``, grows ``BackOff`` times per try when
    ``DelayType`` is ``Exponential``, and never exceeds ``MaxRetryInterval``."""

    name: str
    action: str
    description: Any = ""
    properties: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, OutputSpec] = field(default_factory=dict)
    on_success: str = NEXT
    on_error: str = END
    when: Any = None
    loop: LoopSpec | None = None
    retries: int = 0
    retry_interval: float = 0.0
    timeout: float | None = None
    manually: bool = False
    schedule_delay: float = 0.0
    pause_on_failure: bool = False
    next: list[str] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)
    delay: float | None = None
    delay_type: str = "Constant"
    backoff: float = 2.0
    max_retry_interval: float | None = None

    def retry_wait(self, tries: int) -> float:
        """Seconds to wait before the try after try number ``tries`` (1 = the first) failed."""
        base = self.retry_interval if self.delay is None else self.delay
        if self.delay_type == "Exponential":
            try:
                base = base * self.backoff ** max(0, tries - 1)
            except OverflowError:
                base = math.inf
        if self.max_retry_interval is not None:
            base = min(base, self.max_retry_interval)
        return min(base, 366 * 86400.0)  # a wait beyond a year is a template bug, not a plan

    @classmethod
    def from_dict(cls, task: dict[str, Any]) -> TaskSpec:
        loop = task.get("Loop")
        timeout = task.get("Timeout")
        return cls(
            name=task["Name"],
            action=task["Action"],
            description=task.get("Description", ""),
            properties=dict(task.get("Properties") or {}),
            outputs=outputs_from_dict(task.get("Outputs")),
            on_success=task.get("OnSuccess", NEXT),
            on_error=task.get("OnError", END),
            when=task.get("When"),
            loop=LoopSpec.from_dict(loop) if isinstance(loop, dict) else None,
            retries=int(task.get("Retries", 0)),
            retry_interval=parse_duration(task.get("RetryInterval", 0)),
            timeout=None if timeout is None else parse_duration(timeout),
            manually=bool(task.get("Manually", False)),
            schedule_delay=parse_duration(task.get("ScheduleDelay", 0)),
            pause_on_failure=bool(task.get("PauseOnFailure", False)),
            next=list(task.get("Next") or []),
            extensions={k: v for k, v in task.items() if k.startswith("X-")},
            delay=None if task.get("Delay") is None else parse_duration(task["Delay"]),
            delay_type=task.get("DelayType", "Constant"),
            backoff=float(task.get("BackOff", 2)),
            max_retry_interval=None if task.get("MaxRetryInterval") is None
            else parse_duration(task["MaxRetryInterval"]),
        )


@dataclass(frozen=True)
class ParsedTemplate:
    format_version: str
    description: Any
    parameters: dict[str, ParameterSpec]
    tasks: list[TaskSpec]
    outputs: dict[str, OutputSpec]
    conditions: dict[str, Any]
    raw: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedTemplate:
        return cls(
            format_version=data.get("FormatVersion", ""),
            description=data.get("Description", ""),
            parameters={k: ParameterSpec.from_dict(k, v) for k, v in (data.get("Parameters") or {}).items()},
            tasks=[TaskSpec.from_dict(t) for t in data.get("Tasks") or []],
            outputs=outputs_from_dict(data.get("Outputs")),
            conditions=dict(data.get("Conditions") or {}),
            raw=data,
        )

    @property
    def is_dag(self) -> bool:
        """True when any task declares ``Next``: tasks then run as a graph (roots in parallel)."""
        return any(t.next for t in self.tasks)

    def task(self, name: str) -> TaskSpec | None:
        for t in self.tasks:
            if t.name == name:
                return t
        return None

    def summary(self) -> dict[str, Any]:
        """ValidateTemplateContent's answer: ``Parameters``, ``Tasks``, ``Outputs``."""
        raw_tasks = self.raw.get("Tasks") or []
        return {
            "Parameters": {k: p.to_dict() for k, p in self.parameters.items()},
            "Tasks": [
                {
                    "Name": t.get("Name"),
                    "Type": t.get("Action"),
                    "Description": t.get("Description", ""),
                    "Properties": t.get("Properties", {}),
                    "Outputs": t.get("Outputs", {}),
                }
                for t in raw_tasks
            ],
            "Outputs": self.raw.get("Outputs", {}),
        }
