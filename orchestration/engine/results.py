"""What an action answers the engine, and what the engine hands an action.

An action's ``start``/``poll`` returns one of :class:`Done`, :class:`Failed` or
:class:`Wait`. ``Wait(until=t)`` asks to be polled at ``t``; ``Wait(until=None)``
waits for an event (a notify, a child execution finishing) that wakes the execution.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestration.models import Execution, TaskExecution


@dataclass(frozen=True)
class Done:
    outputs: Any = None  # raw action result; the task's Outputs select from it with jq
    next_task: str | None = None  # ACS::Choice: where to jump
    # ACS::TimerTrigger: the execution ends (Success) after this task; its runs were children,
    # so the template's later tasks and Outputs are theirs, not this execution's.
    end_execution: bool = False


@dataclass(frozen=True)
class Failed:
    message: str
    retryable: bool = True  # False: do not use the task's Retries (e.g. a rejection)


@dataclass(frozen=True)
class Wait:
    until: dt.datetime | None = None
    reason: str = ""
    human: bool = False  # waits for a person: the execution shows Waiting
    waiting_for: str = ""  # a WaitingFor other than a person (the next scheduled run): Waiting too


ActionResult = Done | Failed | Wait


@dataclass
class ActionContext:
    """Everything an action may use; ``state`` persists between ``start`` and ``poll`` calls."""

    execution: Execution
    task_execution: TaskExecution
    properties: dict[str, Any]
    now: dt.datetime
    state: dict[str, Any] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)

    def log(self, message: str) -> None:
        self.logs.append(message)
