"""How an execution ends, and the summary kept on its row (a mixin of :class:`.rounds.Round`).

The end comes when nothing is active or ready (Success, or Failed with the first
failure), when a person completes it, or by cancellation, which also cancels running
actions and child executions. Every round refreshes the row's summary: current tasks,
status and its reason, counters and the next wake-up.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Count

from orchestration.authorization import SYSTEM_NAME
from orchestration.models import Execution, ExecutionStatus, LogType, Mode, TaskExecution, TaskStatus, WaitingFor
from templates_app.language import expressions, selectors
from templates_app.language.model import TaskSpec

from . import metrics
from .dispatch import enqueue

# Who a cancellation is attributed to when no person asked for it (a parent's failure, the engine).
SYSTEM_ACTOR = SYSTEM_NAME


class EndingRounds:
    """Needs the round's state (``ex``, ``active``, ``state``, ``tasks``, ``now``) and helpers."""

    def _maybe_finish(self) -> None:
        if self.state.get("paused") or self.ex.is_finished:
            return
        if self.state.get("finish"):
            status, message = self.state.pop("finish")
            self.cancel_everything(message, status=status)
            return
        if self.active or self.state["ready"]:
            return
        failed = self.state.get("failed")
        outputs: dict[str, Any] = {}
        if not failed and not self.state.get("skip_outputs"):
            try:
                for name, spec in self.parsed.outputs.items():
                    value = self.render(spec.value, None) if spec.value is not None else None
                    if spec.value_selector and value is not None:
                        value = selectors.select(self.render_selector(spec.value_selector, None), value, "Json")
                    outputs[name] = selectors.convert(value, spec.type) if value is not None else None
            except (expressions.ExpressionError, selectors.SelectorError) as exc:
                failed = f"Outputs: {exc}"
        self.finish_execution(ExecutionStatus.FAILED if failed else ExecutionStatus.SUCCESS, failed or "", outputs)

    def finish_execution(self, status: str, message: str, outputs: dict | None = None) -> None:
        self.ex.status = status
        self.ex.status_message = self.secrets.redact(message)
        self.ex.outputs = self.secrets.redact(outputs or {})
        self.ex.end_date = self.now
        self.ex.wake_at = None
        self.log(f"Execution {status.lower()}." + (f" {message}" if message else ""))
        metrics.execution_finished(status)
        if self.ex.parent_task_execution_id:
            wake_parent(self.ex, self.now)

    def cancel_everything(self, message: str, status: str = ExecutionStatus.CANCELLED) -> None:
        for te in list(self.active.values()):
            if te.is_finished:
                continue
            self.cancel_action(te, self.tasks[te.task_name])
            te.status, te.end_date, te.wake_at = TaskStatus.CANCELLED, self.now, None
            te.status_message = message
            te.extra.pop("phase", None)
            self.touch(te)
            self.active.pop(te.id, None)
        self.state["ready"] = []
        for child in Execution.objects.filter(parent=self.ex).exclude(status__in=_finished()):
            request_cancel(child, self.now, by=self.ex.cancel_requested_by or SYSTEM_ACTOR)
        self.finish_execution(status, message)

    def cancel_action(self, te: TaskExecution, task: TaskSpec) -> None:
        if te.status not in (TaskStatus.RUNNING, TaskStatus.WAITING) or "loop" in te.extra:
            return
        try:
            self.action_for(task).cancel(self.action_context(te))
        except NotImplementedError:
            pass
        except Exception as exc:  # best effort: the task is cancelled either way
            self.log(f"Cancelling {task.action} failed: {exc}", te, LogType.ERROR)

    # ------------------------------------------------------------------ summary

    def _update_execution_summary(self) -> None:
        if self.ex.is_finished:
            self.ex.current_tasks = []
            self.ex.status_reason = ""  # a Waiting reason (WaitingForApproval…) no longer holds
        else:
            top = [te for te in self.active.values() if te.parent_task_execution_id is None]
            self.ex.current_tasks = [
                {"TaskName": te.task_name, "TaskExecutionId": te.id, "TaskAction": te.task_action}
                for te in sorted(top, key=lambda t: t.id)
            ]
            waiting = any(te.status == TaskStatus.WAITING for te in self.active.values())
            held = self.state.get("paused") or (
                self.ex.mode == Mode.DEBUG and self.state["ready"] and not self.state.get("debug_release")
            )
            self.ex.status = ExecutionStatus.WAITING if (waiting or held) else ExecutionStatus.RUNNING
            self.ex.status_reason = _waiting_reason(self.active.values(), self.state) if self.ex.status == (
                ExecutionStatus.WAITING
            ) else ""
            dues = [t for te in self.active.values() for t in (te.wake_at, te.deadline) if t is not None]
            self.ex.wake_at = min(dues) if dues else None
        self.ex.counters = self._counters()

    def _counters(self) -> dict[str, int]:
        if self.fresh:  # every task execution there is was created in this round
            counts = dict(Counter(te.status for te in self.new if te.parent_task_execution_id is None))
        else:
            counts = dict(
                TaskExecution.objects.filter(execution_id=self.ex.id, parent_task_execution__isnull=True)
                .values_list("status")
                .annotate(n=Count("id"))
            )
        counts["Total"] = sum(counts.values())
        return counts


def _finished() -> tuple[str, ...]:
    return (ExecutionStatus.SUCCESS, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)


def request_cancel(execution: Execution, now: dt.datetime, by: str = SYSTEM_ACTOR) -> None:
    """Flag an execution for cancellation and wake it; the engine does the rest.

    ``by`` (a user name, or ``system``) is kept so the log line of the cancellation says whose it was.
    """
    Execution.objects.filter(pk=execution.pk).update(cancel_requested=True, cancel_requested_by=by[:150], wake_at=now)
    enqueue(execution.pk)


def wake_parent(child: Execution, now: dt.datetime) -> None:
    """A child execution ended: have its parent look at the task that waits for it."""
    TaskExecution.objects.filter(pk=child.parent_task_execution_id).update(wake_at=now)
    Execution.objects.filter(pk=child.parent_id).update(wake_at=now)
    parent_id = child.parent_id
    transaction.on_commit(lambda: enqueue(parent_id))


def _waiting_reason(active, state) -> str:
    if state.get("paused"):
        return "FailurePaused"
    reasons = {te.extra.get("waiting_for") for te in active if te.status == TaskStatus.WAITING}
    if reasons & set(WaitingFor.approvals()):
        return "WaitingForApproval"
    if WaitingFor.BATCH in reasons:
        return "LoopBatchPaused"
    if WaitingFor.MANUAL in reasons:
        return "WaitingForManualStart"
    return "WaitingForDebug" if state.get("ready") else "Waiting"
