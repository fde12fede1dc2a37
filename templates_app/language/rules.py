"""Names, limits and small predicates shared by the template checks (``validation`` and its parts)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "LOOP_ITEM", "LOOP_KEYS", "MAX_LOOP_ITEMS", "MAX_RETRIES", "MAX_TASKS", "PARAMETER_KEYS", "PARAMETER_NAME",
    "PERCENT",
    "RATE_CONTROL_KEYS", "TASK_KEYS", "TASK_NAME", "TOP_LEVEL_KEYS", "is_int", "is_number", "path_of",
]

TOP_LEVEL_KEYS = (
    "FormatVersion", "Description", "Parameters", "Tasks", "Outputs", "Conditions", "RamRole", "Metadata",
    "X-Baidu",
)
TASK_KEYS = (
    "Name", "Action", "Description", "Properties", "Outputs", "OnSuccess", "OnError", "When", "Loop",
    "Retries", "RetryInterval", "Timeout", "Manually", "ScheduleDelay", "PauseOnFailure", "Next", "X-Baidu",
    "Delay", "DelayType", "BackOff", "MaxRetryInterval",
)
PARAMETER_KEYS = (
    "Type", "Default", "AllowedValues", "AllowedPattern", "MinLength", "MaxLength", "MinValue", "MaxValue",
    "Description", "Label", "AssociationProperty", "AssociationPropertyMetadata", "NoEcho", "ConstraintDescription",
)
LOOP_KEYS = ("Items", "Concurrency", "MaxErrors", "RateControl", "Outputs", "Mode", "BatchPauseOption")
RATE_CONTROL_KEYS = ("Mode", "Concurrency", "MaxErrors", "Batch", "ConcurrencyInBatches", "BatchPauseOption")
TASK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
PERCENT = re.compile(r"^(100|[1-9]?[0-9])%$")
MAX_LOOP_ITEMS = 1000
MAX_TASKS = 1000
# OOS publishes no bound on Retries that we could find; its own templates go up to 300.
MAX_RETRIES = 1000
LOOP_ITEM = "ACS::TaskLoopItem"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def path_of(base: str, parts: Iterable[Any]) -> str:
    out = base
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out
