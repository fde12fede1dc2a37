"""Loops: a task run once per item, with concurrency, error budget and batches.

The loop's own task execution holds the items and counters in ``extra["loop"]``;
each item is a child task execution, created only when a slot is free, so a
1,000-item loop costs rows as it goes, not up front. A mixin of
:class:`~orchestration.engine.rounds.Round`, which provides ``start_try``,
``finish_try``, ``on_task_finished`` and the bookkeeping used here.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any

from orchestration.models import LoopMode, TaskExecution, TaskStatus, WaitingFor
from templates_app.language import expressions
from templates_app.language.model import BATCH_PAUSE_OPTIONS, LOOP_MODES, LoopSpec, TaskSpec, count_from
from templates_app.language.rules import RATE_CONTROL_KEYS

from .results import Done, Failed

MAX_LOOP_ITEMS = 1000


class LoopRounds:
    def start_loop(self, te: TaskExecution, task: TaskSpec) -> None:
        self.transitions += 1
        te.status, te.start_date, te.tries = TaskStatus.RUNNING, te.start_date or self.now, te.tries + 1
        self.touch(te)
        try:
            loop = self.rate_controlled(task.loop, te)
            items = self.render(loop.items, te)
            if isinstance(items, str):
                items = json.loads(items) if items.strip().startswith("[") else [items]
            if not isinstance(items, list):
                raise ValueError(f"Loop.Items must be a list, got {type(items).__name__}")
            if len(items) > MAX_LOOP_ITEMS:
                raise ValueError(f"Loop.Items has {len(items)} items; at most {MAX_LOOP_ITEMS} are allowed")
            total = len(items)
            concurrency = max(1, count_from(_number(self.render(loop.concurrency, te)), total or 1))
            max_errors = count_from(_number(self.render(loop.max_errors, te)), total or 1)
            batches = _batch_ends(loop, [self.render(b, te) for b in loop.batch], total)
            pause = self.render(loop.batch_pause_option, te)
            if pause not in BATCH_PAUSE_OPTIONS:
                raise ValueError(f"BatchPauseOption must be one of {', '.join(BATCH_PAUSE_OPTIONS)}, not {pause!r}")
            if pause != "Automatic" and not batches:  # batches of Concurrency items, paused between
                batches = list(range(concurrency, total, concurrency)) + [total]
        except (expressions.ExpressionError, ValueError, TypeError, json.JSONDecodeError) as exc:
            self.finish_try(te, Failed(f"Loop: {exc}", retryable=False))
            return
        te.extra["loop"] = {
            "items": items, "next": 0, "running": 0, "succeeded": 0, "failed": 0,
            "concurrency": concurrency, "max_errors": max_errors, "batch_ends": batches, "batch": 0,
            "outputs": {}, "pause": pause,
        }
        self.log(f"Loop {task.name}: {total} items, concurrency {concurrency}, max errors {max_errors}.", te)
        self.fill_loop(te, task)

    def rate_controlled(self, loop: LoopSpec, te: TaskExecution) -> LoopSpec:
        """The loop with a ``RateControl`` given as one expression (``{{ rateControl }}``, OOS's
        usual parameter) rendered into its Mode, Concurrency, MaxErrors and batches."""
        if loop.rate_control is None:
            return loop
        rc = self.render(loop.rate_control, te)
        if isinstance(rc, str):
            rc = json.loads(rc)
        if not isinstance(rc, dict):
            raise ValueError(f"Loop.RateControl must give a mapping, got {type(rc).__name__}")
        unknown = set(rc) - set(RATE_CONTROL_KEYS)
        if unknown:
            raise ValueError(f"Loop.RateControl: unknown {', '.join(sorted(unknown))}")
        spec = LoopSpec.from_dict({"Items": loop.items, "RateControl": rc})
        if spec.mode not in LOOP_MODES:
            raise ValueError(f"Loop.RateControl.Mode must be one of {', '.join(LOOP_MODES)}")
        return dataclasses.replace(spec, outputs=loop.outputs)

    def fill_loop(self, parent: TaskExecution, task: TaskSpec) -> None:
        state = parent.extra["loop"]
        self._filling.add(parent.id)
        try:
            while not self.out_of_budget():
                if state["failed"] > state["max_errors"] or self.ex.cancel_requested:
                    break
                if state["running"] >= state["concurrency"]:
                    break
                if state.get("retry"):  # a re-run: the failed items first
                    index = state["retry"].pop(0)
                else:
                    batch_end = state["batch_ends"][state["batch"]] if state["batch_ends"] else len(state["items"])
                    if state["next"] >= batch_end:
                        break
                    index = state["next"]
                    state["next"] += 1
                state["running"] += 1
                child = self.new_te(
                    task, parent, loop_item=state["items"][index], loop_index=index, loop_batch=state["batch"] + 1
                )
                self.start_try(child, task)
        finally:
            self._filling.discard(parent.id)
        self.touch(parent)
        if self.out_of_budget() and state["running"] < state["concurrency"]:
            parent.wake_at = self.now  # more to start: continue in the next round
        self._check_loop_done(parent, task)

    def loop_child_finished(self, child: TaskExecution, task: TaskSpec) -> None:
        parent = self.active.get(child.parent_task_execution_id) or self._load_parent(child)
        state = parent.extra["loop"]
        state["running"] -= 1
        if child.status == TaskStatus.SUCCESS:
            state["succeeded"] += 1
            state["outputs"][str(child.loop_index)] = child.outputs or {}
        else:
            state["failed"] += 1
        self.touch(parent)
        if parent.id not in self._filling:
            self.fill_loop(parent, task)

    def _load_parent(self, child: TaskExecution) -> TaskExecution:
        parent = TaskExecution.objects.get(pk=child.parent_task_execution_id)
        self.active[parent.id] = parent
        return parent

    def _check_loop_done(self, parent: TaskExecution, task: TaskSpec) -> None:
        state = parent.extra["loop"]
        if state["running"] or parent.status != TaskStatus.RUNNING:
            return
        failing = state["failed"] > state["max_errors"]
        if state.get("retry") and not failing and not self.ex.cancel_requested:
            return  # the round's budget ran out mid re-run; continue next round
        more = state["next"] < len(state["items"])
        if more and not failing and not self.ex.cancel_requested:
            batch_end = state["batch_ends"][state["batch"]] if state["batch_ends"] else len(state["items"])
            if state["next"] < batch_end:
                return  # the round's budget ran out; continue next round
            state["batch"] += 1
            # The template's BatchPauseOption, or else the execution's LoopMode, says when to pause.
            option = state.get("pause", "Automatic")
            option = self.ex.loop_mode if option == "Automatic" else option
            pause = option == LoopMode.EVERY_BATCH_PAUSE or (
                option == LoopMode.FIRST_BATCH_PAUSE and state["batch"] == 1
            )
            if pause:
                self.hold(parent, WaitingFor.BATCH,
                          f"Loop {task.name}: batch {state['batch']} done; approve to continue.")
                return
            self.fill_loop(parent, task)
            return
        parent.outputs = self.aggregate_loop_outputs(task, state)
        if failing or (self.ex.cancel_requested and more):
            result = Failed(
                f"{state['failed']} of {len(state['items'])} loop items failed "
                f"(MaxErrors {state['max_errors']}).",
                retryable=False,
            )
        else:
            result = Done()
        parent.tries = max(parent.tries, 1)
        if isinstance(result, Done):
            parent.status, parent.end_date, parent.status_message = TaskStatus.SUCCESS, self.now, ""
            self.log(f"Loop {task.name} succeeded: {state['succeeded']} items.", parent)
            self.on_task_finished(parent, task)
        else:
            self.finish_try(parent, result)

    def aggregate_loop_outputs(self, task: TaskSpec, state: dict[str, Any]) -> dict[str, Any]:
        per_item = [state["outputs"][k] for k in sorted(state["outputs"], key=int)]
        if not task.loop.outputs:
            return {name: [item.get(name) for item in per_item] for name in task.outputs}
        aggregated = {}
        for name, spec in task.loop.outputs.items():
            values = [item.get(spec.aggregate_field or name) for item in per_item]
            aggregated[name] = _aggregate(spec.aggregate_type or "Fn::ListJoin", values)
        return aggregated


def _number(value: Any) -> int | str:
    if isinstance(value, bool):
        raise ValueError("expected a number or a percentage")
    if isinstance(value, int | str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"expected a number or a percentage, got {value!r}")


def _batch_ends(loop, batch: list[Any], total: int) -> list[int]:
    """Cumulative end index of each batch (RateControl Mode Batch); empty: one batch."""
    if loop.mode != "Batch" or not batch:
        return []
    ends, position = [], 0
    for size in batch:
        position += max(1, count_from(_number(size), total or 1))
        ends.append(min(position, total))
        if position >= total:
            break
    if not ends or ends[-1] < total:
        last = ends[-1] - (ends[-2] if len(ends) > 1 else 0) if ends else total
        while not ends or ends[-1] < total:
            ends.append(min((ends[-1] if ends else 0) + max(1, last), total))
    return ends


def _aggregate(kind: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if kind in ("Fn::ListJoin", "ListJoin"):
        return values
    if kind in ("Fn::Sum", "Sum"):
        return sum(v for v in present if isinstance(v, int | float))
    if kind in ("Fn::Distinct", "Distinct"):
        seen: list[Any] = []
        for value in present:
            if value not in seen:
                seen.append(value)
        return seen
    if kind in ("Fn::Max", "Max"):
        return max(present) if present else None
    if kind in ("Fn::Min", "Min"):
        return min(present) if present else None
    if kind in ("Fn::Count", "Count"):
        return len(present)
    return values
