"""Tries: starting an action, taking its result, retrying or finishing the task execution.

A try renders the task's properties, checks them against the action's schema, and
starts the action: synchronous ones inside the round, the others (vSphere, web hooks)
listed in ``Round.external`` for the runner to call after the commit. A result is a
``Wait`` (poll again later, or wait for a person), ``Done`` (outputs selected) or
``Failed`` (retried while ``Retries`` allow). A mixin of
:class:`~orchestration.engine.rounds.Round`, which provides ``touch``, ``log``,
``render``, ``on_task_finished`` and the round's bookkeeping.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from jsonschema import Draft202012Validator

from orchestration.actions import get_action
from orchestration.actions.base import Action
from orchestration.models import LogType, TaskExecution, TaskStatus, WaitingFor
from templates_app.language import expressions, selectors
from templates_app.language.model import TaskSpec

from .results import ActionContext, Done, Failed, Wait


class TryRounds:
    def action_for(self, task: TaskSpec) -> Action:
        cls = get_action(task.action)
        if cls is None:  # validated templates cannot get here; an action removed since can
            raise LookupError(f"action {task.action} is not in the catalog")
        return cls()

    def action_context(self, te: TaskExecution) -> ActionContext:
        return ActionContext(
            execution=self.ex,
            task_execution=te,
            properties=self.secrets.reveal(te.properties),  # the one place a secret's plaintext goes
            now=self.now,
            state=te.extra.setdefault("action", {}),
        )

    def start_try(self, te: TaskExecution, task: TaskSpec) -> None:
        if self.defer_external and not self.action_for(task).synchronous:
            te.status, te.wake_at, te.extra["deferred"] = TaskStatus.PENDING, self.now, True
            self.touch(te)
            return
        self.transitions += 1
        te.tries += 1
        te.status = TaskStatus.RUNNING
        te.start_date = te.start_date or self.now
        te.deadline = self.now + dt.timedelta(seconds=task.timeout) if task.timeout else None
        te.extra.pop("waiting_for", None)
        te.extra["action"] = {}
        self.touch(te)
        try:
            te.properties = self.render(task.properties, te)
            gone = self.secrets.record(te.properties)
            if gone:
                raise LookupError(f"secret parameter {', '.join(sorted(gone))} no longer exists")
            action = self.action_for(task)
            problem = _schema_problem(action, te.properties)
            if problem:
                raise ValueError(problem)
        except (expressions.ExpressionError, selectors.SelectorError, ValueError, LookupError) as exc:
            self.finish_try(te, Failed(f"Properties: {exc}", retryable=False))
            return
        if te.tries == 1:
            self.log(f"Task {task.name} started ({task.action}).", te)
        else:
            self.log(f"Task {task.name}: try {te.tries} started.", te)
        if action.synchronous:
            ctx = self.action_context(te)
            self.apply_result(te, task, call_action(action.start, ctx, task), ctx)
        else:
            te.extra["phase"] = "starting"
            self.external.append(("start", te.id))

    def apply_result(self, te: TaskExecution, task: TaskSpec, result, ctx: ActionContext | None = None) -> None:
        if ctx is not None:
            for line in ctx.logs:
                self.log(line, te, LogType.ACTION)
            te.extra["action"] = self.secrets.redact(ctx.state)  # e.g. a guest command's output
        te.extra.pop("phase", None)
        self.touch(te)
        if isinstance(result, Wait):
            waiting_for = WaitingFor.APPROVAL if result.human else result.waiting_for
            te.status = TaskStatus.WAITING if waiting_for else TaskStatus.RUNNING
            te.wake_at = result.until
            if waiting_for:
                te.extra["waiting_for"] = waiting_for
            else:
                te.extra.pop("waiting_for", None)
            if result.reason:
                te.status_message = self.secrets.redact(result.reason)
            return
        if isinstance(result, Done):
            try:
                te.outputs = self.secrets.redact(self.select_outputs(task, result.outputs, te))
            except (selectors.SelectorError, expressions.ExpressionError) as exc:
                self.finish_try(te, Failed(f"Outputs: {exc}", retryable=False))
                return
            if result.next_task:
                te.extra["next_task"] = result.next_task
            if result.end_execution:
                te.extra["ends_execution"] = True
        self.finish_try(te, result)

    def select_outputs(self, task: TaskSpec, raw: Any, te: TaskExecution) -> dict[str, Any]:
        outputs = {}
        for name, spec in task.outputs.items():
            if spec.value_selector:
                outputs[name] = selectors.select(self.render_selector(spec.value_selector, te), raw, spec.type)
            elif spec.value is not None:
                outputs[name] = selectors.convert(self.render(spec.value, te), spec.type)
        return outputs

    def render_selector(self, selector: Any, te: TaskExecution | None) -> str:
        """A selector with ``{{ … }}`` or an ``Fn::`` call is rendered before jq runs (as OOS does)."""
        if isinstance(selector, str) and "{{" not in selector:
            return selector
        rendered = self.render(selector, te)
        if not isinstance(rendered, str):
            raise selectors.SelectorError(f"the ValueSelector rendered to {type(rendered).__name__}, not jq text")
        return rendered

    def finish_try(self, te: TaskExecution, result) -> None:
        task = self.tasks[te.task_name]
        self.touch(te)
        te.wake_at = None
        if isinstance(result, Failed):
            result = Failed(self.secrets.redact(result.message), result.retryable)
            if result.retryable and te.tries and te.tries <= task.retries and not self.ex.cancel_requested:
                te.extra["retry_pending"] = True
                wait = task.retry_wait(te.tries)
                te.wake_at = self.now + dt.timedelta(seconds=wait)
                te.status = TaskStatus.RUNNING
                te.status_message = result.message
                self.log(
                    f"Task {task.name}: try {te.tries} failed ({result.message}); "
                    f"retrying in {wait:g} s.",
                    te,
                    LogType.ERROR,
                )
                return
            te.status = TaskStatus.FAILED
            te.status_message = result.message
            self.log(f"Task {task.name} failed: {result.message}", te, LogType.ERROR)
        else:
            te.status = TaskStatus.SUCCESS
            te.status_message = ""
            if te.parent_task_execution_id is None:
                self.log(f"Task {task.name} succeeded.", te)
        te.end_date = self.now
        self.on_task_finished(te, task)


def call_action(method, ctx: ActionContext, task: TaskSpec):
    """An action's start/poll; its exceptions fail the task, never the worker."""
    try:
        return method(ctx)
    except Exception as exc:
        return Failed(f"{task.action}: {exc}")


_validators: dict[str, Draft202012Validator] = {}


def _schema_problem(action: Action, properties: dict[str, Any]) -> str:
    """The first problem of rendered properties against the action's schema, or ''."""
    validator = _validators.get(action.name)
    if validator is None:
        validator = _validators[action.name] = Draft202012Validator(action.properties_schema)
    error = next(iter(validator.iter_errors(properties)), None)
    if error is None:
        return ""
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message
