"""One round of decisions on one execution, applied in one transaction.

A :class:`Round` is built from the execution row (locked by the caller with
``select_for_update``) and its unfinished task executions. It decides what is due —
tasks to start, retries, polls, loop items, the execution's end — and writes every
change at :meth:`Round.commit`: new task executions and log lines in bulk, changed
ones with ``bulk_update``. Actions that touch the outside world (vSphere, webhooks)
are not called here: the round marks their try as started (committed first, so a
crash can never start the same try twice) and lists them in :attr:`Round.external`
for the runner to call after the commit. How a try starts and ends is in
:mod:`.tries`, loops in :mod:`.loops`, the execution's end and summary in
:mod:`.endings` (mixins of :class:`Round`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from orchestration.models import (
    TASK_FINISHED_STATUSES,
    Execution,
    ExecutionLog,
    ExecutionStatus,
    LogType,
    Mode,
    SafetyCheck,
    TaskExecution,
    TaskStatus,
    WaitingFor,
)
from templates_app.language import expressions, selectors
from templates_app.language.model import END, NEXT, ParsedTemplate, TaskSpec

from . import metrics
from .endings import SYSTEM_ACTOR, EndingRounds
from .loops import LoopRounds
from .results import Failed
from .secrets import ExecutionSecrets
from .templates import parsed_content
from .tries import TryRounds, call_action

# Transitions per transaction: large enough to run a 1000-item no-op loop in a few
# commits, small enough that a round never holds the row lock for long.
ROUND_BUDGET = 400

TE_FIELDS = [
    "properties", "outputs", "status", "status_message", "tries", "extra", "wake_at", "deadline",
    "start_date", "end_date", "child_execution", "updated_at",
]


class Round(TryRounds, LoopRounds, EndingRounds):
    def __init__(
        self,
        execution: Execution,
        now: dt.datetime,
        active: Iterable[TaskExecution] | None = None,
        defer_external: bool = False,
    ):
        self.ex = execution
        # Outside the engine (a notify), nobody will call outside-world actions after the
        # commit: their starts are deferred to the engine's next round instead.
        self.defer_external = defer_external
        self.now = now
        self.parsed: ParsedTemplate = parsed_content(execution.template_content)
        self.tasks = {task.name: task for task in self.parsed.tasks}
        self.order = [task.name for task in self.parsed.tasks]
        self.state = execution.state or {}
        self.state.setdefault("seq", 0)
        self.state.setdefault("ready", [])
        self.state.setdefault("outputs", {})
        self.state.setdefault("done", {})
        # A queued execution has no task executions yet: nothing to look up, nothing to count.
        self.fresh = execution.status in (ExecutionStatus.STARTED, ExecutionStatus.QUEUED)
        self.secrets = ExecutionSecrets(execution.tenant_id, self.state)
        if active is None:
            active = [] if self.fresh else (
                TaskExecution.objects.filter(execution=execution).exclude(status__in=TASK_FINISHED_STATUSES))
        self.active: dict[str, TaskExecution] = {te.id: te for te in active}
        self.new: list[TaskExecution] = []
        self.dirty: dict[str, TaskExecution] = {}
        self.logs: list[ExecutionLog] = []
        self.external: list[tuple[str, str]] = []  # (kind "start"|"poll", task execution id)
        self.transitions = 0
        self._filling: set[str] = set()
        self._children_running: dict[str, int] = {}

    # ------------------------------------------------------------------ bookkeeping

    def log(self, message: str, te: TaskExecution | None = None, kind: str = LogType.TASK) -> None:
        self.logs.append(
            ExecutionLog(
                execution_id=self.ex.id,
                tenant_id=self.ex.tenant_id,
                task_execution_id=te.id if te is not None else None,
                created_at=self.now,
                log_type=kind if te is not None else LogType.EXECUTION,
                message=self.secrets.redact(message),
            )
        )

    def out_of_budget(self) -> bool:
        return self.transitions >= ROUND_BUDGET

    def touch(self, te: TaskExecution) -> None:
        te.updated_at = self.now
        if te._state.adding:
            return  # in self.new already
        self.dirty[te.id] = te

    def new_te(self, task: TaskSpec, parent: TaskExecution | None = None, **fields: Any) -> TaskExecution:
        self.state["seq"] += 1
        te = TaskExecution(
            id=f"{self.ex.id}.t{self.state['seq']:04d}",
            execution_id=self.ex.id,
            tenant_id=self.ex.tenant_id,
            task_name=task.name,
            task_action=task.action,
            parent_task_execution_id=parent.id if parent is not None else None,
            status=TaskStatus.PENDING,
            created_at=self.now,
            updated_at=self.now,
            extra={},
            **fields,
        )
        self.new.append(te)
        self.active[te.id] = te
        return te

    def commit(self, save_execution: Callable[[Execution], None] = Execution.save) -> None:
        """Write everything this round decided (the caller holds the transaction).

        The engine passes a ``save_execution`` that writes the execution row only while
        its lease stands (:func:`.leases.save_fenced`).
        """
        if self.new:
            TaskExecution.objects.bulk_create(self.new)
        if self.dirty:
            TaskExecution.objects.bulk_update(list(self.dirty.values()), TE_FIELDS)
        if self.logs:
            ExecutionLog.objects.bulk_create(self.logs)
        self._update_execution_summary()
        self.ex.state = self.state
        save_execution(self.ex)
        self.new, self.dirty, self.logs = [], {}, []

    # ------------------------------------------------------------------ rendering

    def context(self, te: TaskExecution | None = None) -> dict[str, Any]:
        ctx: dict[str, Any] = dict(self.ex.parameters or {})
        for name, outputs in self.state["outputs"].items():
            ctx[name] = expressions.TaskOutputs(outputs)
        ctx.update(
            {
                "ACS::ExecutionId": self.ex.id,
                "ACS::ParentExecutionId": self.ex.parent_id or "",
                "ACS::TemplateName": self.ex.template_name,
                "ACS::TemplateVersion": self.ex.template_version,
                "ACS::ExecutedBy": self.ex.executed_by,
                "ACS::ExecuteUser": self.ex.executed_by,
                **expressions.clock_parameters(self.now),
                "ACS::RegionId": self.state.get("region", ""),
                "ACS::AccountId": str(self.ex.tenant_id),
            }
        )
        if te is not None:
            ctx["ACS::TaskExecutionId"] = te.id
            ctx["ACS::TaskName"] = te.task_name
            if te.loop_index is not None:
                ctx["ACS::TaskLoopItem"] = te.loop_item
        return ctx

    def render(self, value: Any, te: TaskExecution | None = None) -> Any:
        return expressions.render(value, self.context(te), self.parsed.conditions)

    # ------------------------------------------------------------------ the round

    def run(self) -> None:
        """Everything that is due now, until nothing more is or the budget is spent."""
        if self.ex.status in (ExecutionStatus.STARTED, ExecutionStatus.QUEUED):
            self._begin_execution()
        if self.ex.cancel_requested:
            self.cancel_everything(f"Cancelled by {self.ex.cancel_requested_by or SYSTEM_ACTOR}.")
            return
        self._recover_interrupted_starts()
        for te in sorted(self.active.values(), key=lambda t: (t.parent_task_execution_id is None, t.id)):
            if self.out_of_budget():
                return
            if te.id in self.active and not te.is_finished:
                self._process_due(te)
        self._start_ready()
        self._maybe_finish()

    def run_after_result(self) -> None:
        """What an action's answer makes due at once (the next task, the end)."""
        self._start_ready()
        self._maybe_finish()

    def _begin_execution(self) -> None:
        self.ex.status = ExecutionStatus.RUNNING
        self.ex.start_date = self.ex.start_date or self.now
        metrics.execution_started(self.ex.created_at, self.ex.start_date)
        if self.parsed.is_dag:
            targets = {n for task in self.parsed.tasks for n in task.next}
            self.state["ready"] = [name for name in self.order if name not in targets]
        else:
            self.state["ready"] = [self.order[0]] if self.order else []
        self.log(f"Execution started (template {self.ex.template_name} {self.ex.template_version}).")

    def _recover_interrupted_starts(self) -> None:
        """A try whose start was committed but never answered: its worker died mid-call.

        The action may or may not have run; starting it again could run it twice, so
        the try fails (the task's Retries, if any, then start a fresh try).
        """
        for te in list(self.active.values()):
            if te.extra.get("phase") == "starting" and (te.id, "start") not in self.external:
                te.extra.pop("phase", None)
                self.finish_try(te, Failed("The worker stopped while starting this action; its outcome is unknown."))

    def _process_due(self, te: TaskExecution) -> None:
        task = self.tasks[te.task_name]
        if te.extra.get("phase") == "starting":
            return
        if te.deadline and te.deadline <= self.now and te.status in (TaskStatus.RUNNING, TaskStatus.WAITING):
            self.cancel_action(te, task)
            self.finish_try(te, Failed(f"Timed out after {task.timeout:g} s."))
            return
        if te.wake_at is None or te.wake_at > self.now:
            return
        te.wake_at = None
        self.touch(te)
        if te.status == TaskStatus.PENDING:
            self.gate_and_start(te, task)
        elif te.extra.get("retry_pending"):
            te.extra.pop("retry_pending")
            self.start_try(te, task)
        elif "loop" in te.extra:
            self.fill_loop(te, task)
        else:
            self._poll(te, task)

    def _poll(self, te: TaskExecution, task: TaskSpec) -> None:
        action = self.action_for(task)
        if action.synchronous:
            ctx = self.action_context(te)
            self.apply_result(te, task, call_action(action.poll, ctx, task), ctx)
        else:
            self.external.append(("poll", te.id))

    # ------------------------------------------------------------------ starting tasks

    def _start_ready(self) -> None:
        while self.state["ready"] and not self.out_of_budget():
            if self.state.get("paused") or self.state.get("finish"):
                return
            if self.ex.mode == Mode.DEBUG and not self.state.get("debug_release"):
                return  # Debug: each task waits for an ExecuteTask notification
            name = self.state["ready"].pop(0)
            released = self.state.pop("debug_release", None)
            if isinstance(released, str) and released in self.tasks:
                name = released
            self.begin_task(self.tasks[name])

    def begin_task(self, task: TaskSpec) -> None:
        te = self.new_te(task)
        self.transitions += 1
        if self._fired_by_this_task(task):
            te.status, te.end_date = TaskStatus.SKIPPED, self.now
            self.log(f"Task {task.name} skipped: this run was started by it in {self.ex.parent_id}.", te)
            self.on_task_finished(te, task)
            return
        if task.when is not None:
            try:
                go = expressions.truthy(self.render(task.when, te))
            except (expressions.ExpressionError, selectors.SelectorError) as exc:
                self.finish_try(te, Failed(f"When: {exc}", retryable=False))
                return
            if not go:
                te.status, te.end_date = TaskStatus.SKIPPED, self.now
                self.log(f"Task {task.name} skipped: its When condition is false.", te)
                self.on_task_finished(te, task)
                return
        self.gate_and_start(te, task)

    def _fired_by_this_task(self, task: TaskSpec) -> bool:
        """A trigger's run skips the trigger task that started it (OOS's ACS::TimerTrigger children)."""
        if not self.ex.parent_task_execution_id or not self.action_for(task).skip_in_fired_runs:
            return False
        return TaskExecution.objects.filter(pk=self.ex.parent_task_execution_id, task_name=task.name,
                                            task_action=task.action).exists()

    def gate_and_start(self, te: TaskExecution, task: TaskSpec) -> None:
        """Delays, manual starts and high-risk confirmations come before the first try."""
        if te.extra.pop("deferred", False):
            self.start_try(te, task)  # its gates were passed before it was deferred
            return
        if task.schedule_delay and not te.extra.get("delayed"):
            te.extra["delayed"] = True
            te.wake_at = self.now + dt.timedelta(seconds=task.schedule_delay)
            self.log(f"Task {task.name} starts in {task.schedule_delay:g} s.", te)
            self.touch(te)
            return
        if task.manually and not te.extra.get("released"):
            self.hold(te, WaitingFor.MANUAL, f"Task {task.name} waits to be started by hand (NotifyType ExecuteTask).")
            return
        action = self.action_for(task)
        if (
            self.ex.safety_check == SafetyCheck.CONFIRM
            and action.is_high_risk()
            and not te.extra.get("confirmed")
        ):
            approval = self.state.get("approved", {}).pop(task.name, None)  # one approval, one decision
            if approval is None:
                self.hold(te, WaitingFor.CONFIRMATION,
                          f"Task {task.name} runs high-risk action {task.action}: approve to run it.")
                return
            te.extra["confirmed"] = True
            self.log(f"Task {task.name} runs high-risk action {task.action}, "
                     f"approved with task {approval['task']} by {approval['by']}.", te)
        if task.loop is not None:
            self.start_loop(te, task)
        else:
            self.start_try(te, task)

    def hold(self, te: TaskExecution, reason: WaitingFor, message: str) -> None:
        te.status = TaskStatus.WAITING
        te.extra["waiting_for"] = reason
        te.status_message = message
        self.log(message, te)
        self.touch(te)

    # ------------------------------------------------------------------ routing

    def on_task_finished(self, te: TaskExecution, task: TaskSpec) -> None:
        self.active.pop(te.id, None)
        if te.parent_task_execution_id:
            self.loop_child_finished(te, task)
            return
        self.state["done"][task.name] = te.status
        if te.status in (TaskStatus.SUCCESS, TaskStatus.SKIPPED):
            self.state["outputs"][task.name] = te.outputs or {}
            if te.extra.get("ends_execution"):
                self.state["ready"], self.state["skip_outputs"] = [], True
                return
            target = te.extra.get("next_task") or task.on_success
        else:
            if (task.pause_on_failure or self.ex.mode == Mode.FAILURE_PAUSE) and not self.ex.cancel_requested:
                self.state["paused"] = te.id
                self.log(
                    f"Paused after task {task.name} failed: retry it (ExecuteTask), "
                    "or end the execution (CompleteExecution).",
                    kind=LogType.EXECUTION,
                )
                return
            target = task.on_error
            if target == END:
                self.state["failed"] = f"Task {task.name} failed: {te.status_message}"
        self.route(task, target, te.status in (TaskStatus.SUCCESS, TaskStatus.SKIPPED))

    def route(self, task: TaskSpec, target: str, succeeded: bool) -> None:
        if self.parsed.is_dag:
            if not succeeded:
                self.state["failed"] = self.state.get("failed") or f"Task {task.name} failed."
                return
            for successor in task.next:
                preds = [t for t in self.parsed.tasks if successor in t.next]
                if all(self.state["done"].get(p.name) in (TaskStatus.SUCCESS, TaskStatus.SKIPPED) for p in preds):
                    self.state["ready"].append(successor)
            return
        if target == NEXT:
            index = self.order.index(task.name) + 1
            if index < len(self.order):
                self.state["ready"].append(self.order[index])
        elif target != END:
            self.state["ready"].append(target)
