"""Approvals: who may approve, and what an approver is shown before saying yes.

An approver sees the steps their decision lets run — for a high-risk step waiting for
confirmation, that step; for an ``ACS::Approve`` step, the high-risk steps it covers
(:mod:`orchestration.engine.approvals`) — with their properties rendered against the
execution as it is now (parameters and earlier tasks' outputs), and for a loop the items
it will act on (e.g. the VM ids a StopVM loop will stop). A value that depends on a step
not run yet is shown as written in the template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.actions.registry import get_action
from orchestration.engine.approvals import covered_steps
from orchestration.engine.rounds import Round
from orchestration.errors import Forbidden
from orchestration.models import Execution, TaskExecution, TaskStatus, WaitingFor
from templates_app.language import expressions, selectors
from templates_app.language.model import TaskSpec

PREVIEW_ITEMS = 200  # loop items listed in full; more are counted


@dataclass
class StepPreview:
    """One step an approval lets run, as the approver is shown it."""

    task_name: str
    action: str
    high_risk: bool
    properties: Any
    rendered: bool = True  # False: some value waits for a step that has not run yet
    items: list[Any] | None = None  # a loop's items, when known
    item_count: int = 0
    notes: list[str] = field(default_factory=list)


def _is_high_risk(task: TaskSpec) -> bool:
    action = get_action(task.action)
    return bool(action is not None and action.is_high_risk())


def _render(round_: Round, value: Any) -> tuple[Any, bool]:
    try:
        return round_.render(value), True
    except (expressions.ExpressionError, selectors.SelectorError, LookupError, ValueError, TypeError):
        return value, False


def _preview(round_: Round, task: TaskSpec) -> StepPreview:
    step = StepPreview(task.name, task.action, _is_high_risk(task), task.properties)
    if task.loop is not None:
        items, known = _render(round_, task.loop.items)
        if known and isinstance(items, list):
            step.items, step.item_count = items[:PREVIEW_ITEMS], len(items)
        else:
            step.rendered = False
        return step  # its properties name {{ ACS::TaskLoopItem }}: one per item above
    step.properties, step.rendered = _render(round_, task.properties)
    return step


def preview(te: TaskExecution) -> list[StepPreview]:
    """The steps approving ``te`` (a task execution waiting for a person) lets run."""
    reason = te.extra.get("waiting_for") if isinstance(te.extra, dict) else None
    execution = te.execution
    round_ = Round(execution, timezone.now(), active=[])
    task = round_.tasks.get(te.task_name)
    if task is None or reason not in WaitingFor.approvals():
        return []
    if reason == WaitingFor.CONFIRMATION:
        return [_preview(round_, task)]
    steps = covered_steps(round_.parsed, task.name, _is_high_risk, round_.render)
    return [_preview(round_, step) for step in steps]


def check_may_approve(execution: Execution, who: str, task_execution_id: str | None, task_name: str | None) -> None:
    """The tenant's four-eyes rule: with ``allow_self_approval`` off, the member who started
    an execution cannot approve its approval steps or high-risk actions."""
    if execution.tenant.allow_self_approval or who != execution.executed_by:
        return
    waiting = TaskExecution.objects.filter(execution=execution, status=TaskStatus.WAITING,
                                           extra__waiting_for__in=WaitingFor.approvals())
    if task_execution_id:
        waiting = waiting.filter(pk=task_execution_id)
    if task_name:
        waiting = waiting.filter(task_name=task_name)
    if waiting.exists():
        raise Forbidden(
            _("%(user)s started this execution, and tenant %(tenant)s requires another member to approve it.")
            % {"user": who, "tenant": execution.tenant.name},
            code="Forbidden.SelfApproval",
        )
