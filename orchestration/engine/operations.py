"""The state machine's public operations for people acting on a running execution.

What NotifyExecution asks (approve, reject, execute a task, cancel a task, complete)
and re-running from a failure change the engine's own state — the round's ready and
done lists, a paused failure, a waiting step — so they live here, beside the rounds,
not in the services that call them. Callers authorize, take the execution's row lock,
call one of these, and queue the execution.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from orchestration.errors import Conflict, InvalidParameter
from orchestration.models import Execution, ExecutionStatus, Mode, TaskExecution, TaskStatus, WaitingFor
from templates_app.language.parameters import resolve_parameters
from templates_app.language.problems import ParametersInvalid

from .results import Done, Failed
from .rounds import Round

NOTIFY_TYPES = ("Approve", "Reject", "ExecuteTask", "CancelTask", "CompleteExecution")


def check_notify_type(notify_type: str) -> None:
    if notify_type not in NOTIFY_TYPES:
        raise InvalidParameter("NotifyType", f"must be one of {', '.join(NOTIFY_TYPES)}, got {notify_type!r}")


def notify(execution: Execution, notify_type: str, *, by: str, note: str = "", **target: Any) -> None:
    """Apply one notification to a locked execution and commit the round it makes.

    ``target`` narrows which step it is for (``task_execution_id``, ``task_name``,
    ``loop_item``) and carries ExecuteTask's ``parameters`` and CompleteExecution's
    ``execution_status``. The execution is due at once afterwards.
    """
    check_notify_type(notify_type)
    round_ = Round(execution, timezone.now(), defer_external=True)
    record = {"type": notify_type, "by": by, "note": note, "at": round_.now.isoformat()}
    _NOTIFY_HANDLERS[notify_type](round_, execution, record, **target)
    round_.log(f"{notify_type} by {by}" + (f": {note}" if note else "") + ".")
    round_.run_after_result()
    round_.commit()
    Execution.objects.filter(pk=execution.pk).update(wake_at=round_.now)


def _target(round_: Round, task_execution_id, task_name, loop_item, statuses) -> TaskExecution:
    candidates = [te for te in round_.active.values() if te.status in statuses
                  and te.extra.get("waiting_for") not in WaitingFor.unattended()]
    if task_execution_id:
        candidates = [te for te in candidates if te.id == task_execution_id]
    if task_name:
        candidates = [te for te in candidates if te.task_name == task_name]
    if loop_item is not None:
        candidates = [te for te in candidates if te.loop_item == loop_item]
    if not candidates:
        what = task_execution_id or task_name or "any task"
        raise Conflict(f"no task execution waiting for this notification ({what})", code="InvalidStatus.Task")
    return sorted(candidates, key=lambda te: te.id)[0]


def _approve(round_: Round, execution, record, *, task_execution_id, task_name, loop_item, **_):
    if round_.state.get("paused") and not (task_execution_id or task_name):
        _resume_after_failure(round_, record)
        return
    te = _target(round_, task_execution_id, task_name, loop_item, (TaskStatus.WAITING,))
    task = round_.tasks[te.task_name]
    te.extra.setdefault("notifications", []).append(record)
    reason = te.extra.get("waiting_for")
    if reason == WaitingFor.APPROVAL:
        round_.apply_result(te, task, Done({"Approved": True, "ApprovedBy": record["by"], "Note": record["note"]}))
    elif reason == WaitingFor.CONFIRMATION:
        te.extra["confirmed"] = True
        _release(round_, te, now=round_.now)
    elif reason == WaitingFor.MANUAL:
        te.extra["released"] = True
        _release(round_, te, now=round_.now)
    elif reason == WaitingFor.BATCH:
        te.status, te.wake_at = TaskStatus.RUNNING, round_.now
        te.extra.pop("waiting_for", None)
        round_.touch(te)


def _release(round_: Round, te: TaskExecution, now) -> None:
    te.status, te.wake_at = TaskStatus.PENDING, now
    te.extra.pop("waiting_for", None)
    round_.touch(te)


def _reject(round_: Round, execution, record, *, task_execution_id, task_name, loop_item, **_):
    te = _target(round_, task_execution_id, task_name, loop_item, (TaskStatus.WAITING,))
    te.extra.setdefault("notifications", []).append(record)
    message = f"Rejected by {record['by']}" + (f": {record['note']}" if record["note"] else "")
    if "loop" in te.extra:
        te.extra["loop"]["failed"] = te.extra["loop"]["max_errors"] + 1
    round_.finish_try(te, Failed(message, retryable=False))


def _execute_task(round_: Round, execution, record, *, task_name, parameters, task_execution_id, **_):
    if parameters:
        merged = {**execution.parameters, **parameters}
        try:
            execution.parameters = resolve_parameters(round_.parsed.parameters, merged)
        except ParametersInvalid as exc:
            problems = [str(p) for p in exc.problems]
            raise InvalidParameter("Parameters", "; ".join(problems), detail=problems) from exc
    if task_name and task_name not in round_.tasks:
        raise InvalidParameter("TaskName", f"the template has no task {task_name!r}")
    if round_.state.get("paused"):
        _resume_after_failure(round_, record, retry=True)
        return
    manual = [te for te in round_.active.values() if te.extra.get("waiting_for") == WaitingFor.MANUAL]
    if manual and (task_execution_id or task_name or len(manual) == 1):
        te = _target(round_, task_execution_id, task_name, None, (TaskStatus.WAITING,))
        te.extra["released"] = True
        _release(round_, te, now=round_.now)
        return
    if execution.mode != Mode.DEBUG:
        raise Conflict("ExecuteTask needs a Debug execution, a paused one or a task waiting to be started by hand",
                       code="InvalidStatus.Execution")
    round_.state["debug_release"] = task_name or True


def _resume_after_failure(round_: Round, record, retry: bool = False) -> None:
    te_id = round_.state.pop("paused")
    te = TaskExecution.objects.get(pk=te_id)
    task = round_.tasks[te.task_name]
    if retry:
        round_.state["ready"].insert(0, task.name)
    else:  # go on as if the failure had taken the task's OnError route
        round_.route(task, task.on_error, False)


def _cancel_task(round_: Round, execution, record, *, task_execution_id, task_name, loop_item, **_):
    te = _target(
        round_, task_execution_id, task_name, loop_item, (TaskStatus.RUNNING, TaskStatus.WAITING, TaskStatus.PENDING)
    )
    task = round_.tasks[te.task_name]
    round_.cancel_action(te, task)
    te.status, te.end_date, te.wake_at = TaskStatus.CANCELLED, round_.now, None
    te.status_message = f"Cancelled by {record['by']}."
    te.extra.pop("phase", None)
    round_.touch(te)
    round_.on_task_finished(te, task)


def _complete(round_: Round, execution, record, *, execution_status, **_):
    status = execution_status or ExecutionStatus.SUCCESS
    if status not in (ExecutionStatus.SUCCESS, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED):
        raise InvalidParameter("ExecutionStatus", "must be Success, Failed or Cancelled")
    round_.state.pop("paused", None)
    note = f" {record['note']}" if record["note"] else ""
    round_.state["finish"] = [status, f"Completed by {record['by']}.{note}"]


_NOTIFY_HANDLERS = {
    "Approve": _approve,
    "Reject": _reject,
    "ExecuteTask": _execute_task,
    "CancelTask": _cancel_task,
    "CompleteExecution": _complete,
}



def reopen_from_failure(execution: Execution, failed: TaskExecution, now: dt.datetime, *,
                        failed_items_only: bool = True) -> Execution | None:
    """Make a Failed execution run again from its failed top-level task ``failed``.

    A loop re-runs only its failed items (unless ``failed_items_only`` is False); a task
    whose nested execution failed waits for that child, which is returned so the caller
    re-runs it the same way; any other task is ready again. Everything that succeeded stays.
    """
    state = execution.state
    state.pop("failed", None)
    state["done"].pop(failed.task_name, None)
    loop = failed.extra.get("loop")
    child = None
    if loop is not None and failed_items_only:
        _reopen_loop(failed, loop, now)
    elif failed.child_execution_id and failed.child_execution.status == ExecutionStatus.FAILED:
        child = failed.child_execution
        failed.status, failed.end_date, failed.wake_at = TaskStatus.RUNNING, None, None
        failed.save(update_fields=["status", "end_date", "wake_at", "updated_at"])
    else:
        state["ready"] = [failed.task_name]
    execution.state = state
    execution.status, execution.status_message, execution.end_date = ExecutionStatus.RUNNING, "", None
    execution.wake_at = now
    execution.save()
    return child


def _reopen_loop(parent: TaskExecution, loop: dict, now: dt.datetime) -> None:
    failed_indices = sorted(
        TaskExecution.objects.filter(parent_task_execution=parent, status=TaskStatus.FAILED)
        .values_list("loop_index", flat=True)
    )
    loop["retry"] = list(failed_indices)
    loop["failed"] = 0
    parent.status, parent.end_date, parent.wake_at, parent.status_message = TaskStatus.RUNNING, None, now, ""
    parent.extra["loop"] = loop
    parent.save(update_fields=["status", "end_date", "wake_at", "status_message", "extra", "updated_at"])
