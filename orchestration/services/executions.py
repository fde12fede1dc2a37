"""Execution workflows shared by every face: start, cancel, delete, notify, re-run.

These functions change what the engine will do, never how: they write flags and
wake-ups under the execution's row lock, then queue ``advance``. The engine is the
only code that starts actions.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from orchestration.authorization import SYSTEM, actor_name, require
from orchestration.engine.dispatch import enqueue
from orchestration.engine.results import Done, Failed
from orchestration.engine.rounds import Round, request_cancel
from orchestration.engine.templates import parsed_content
from orchestration.errors import Conflict, InvalidParameter, NotFound
from orchestration.models import (
    FINISHED_STATUSES,
    Execution,
    ExecutionLog,
    ExecutionStatus,
    LoopMode,
    Mode,
    SafetyCheck,
    Scope,
    TaskExecution,
    TaskStatus,
    Tenant,
    Trigger,
)
from orchestration.services import tags as tag_service
from templates_app.language import expressions
from templates_app.language.parameters import resolve_parameters
from templates_app.language.problems import ParametersInvalid
from templates_app.models import Template
from templates_app.services.templates import checked_content, count_execution, get_version

CLIENT_TOKEN_TTL = dt.timedelta(hours=24)
MAX_DELETE = 100
TAG_RESOURCE = "execution"
NOTIFY_TYPES = ("Approve", "Reject", "ExecuteTask", "CancelTask", "CompleteExecution")


def _choice(value: str, choices, place: str) -> str:
    if value not in choices.values:
        raise InvalidParameter(place, f"must be one of {', '.join(choices.values)}, got {value!r}")
    return value


def start_execution(
    *,
    tenant: Tenant,
    user,
    template: Template | None,
    version: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    mode: str = Mode.AUTOMATIC,
    loop_mode: str = LoopMode.AUTOMATIC,
    safety_check: str = SafetyCheck.CONFIRM,
    client_token: str = "",
    trigger: str = Trigger.MANUAL,
    description: str = "",
    tags: Mapping[str, str] | None = None,
    template_content: str | None = None,
    template_name: str = "",
    executed_by: str = "",
    parent: Execution | None = None,
    parent_task_execution: TaskExecution | None = None,
    project=None,
) -> Execution:
    """Validate, pin the version, resolve parameters and queue a new execution.

    With a ``client_token`` the call is idempotent: the same token in the same tenant
    within 24 hours returns the execution it started the first time.
    """
    require(user, tenant, Scope.RUN, "running templates")
    _choice(mode, Mode, "Mode")
    _choice(loop_mode, LoopMode, "LoopMode")
    _choice(safety_check, SafetyCheck, "SafetyCheck")
    if client_token:
        if len(client_token) > 64:
            raise InvalidParameter("ClientToken", "at most 64 characters")
        existing = _by_client_token(tenant, client_token)
        if existing is not None:
            return existing
    if template is not None:
        if template.tenant_id not in (None, tenant.pk):
            raise NotFound("Template", template.name)
        pinned = get_version(template, version)
        content, name, version_name = pinned.content, template.name, pinned.name
    elif template_content is not None:
        content, _, _ = checked_content(template_content)
        name, version_name = template_name or "inline", "v1"
    else:
        raise InvalidParameter("TemplateName", "a template or an inline template is required")
    parsed = parsed_content(content)
    try:
        resolved = resolve_parameters(parsed.parameters, dict(parameters or {}))
    except ParametersInvalid as exc:
        problems = [str(p) for p in exc.problems]
        raise InvalidParameter("Parameters", "; ".join(problems), detail=problems) from exc
    tags = tag_service.check_tags(tags)
    now = timezone.now()
    execution = Execution(
        tenant=tenant,
        project=project,
        template=template,
        template_name=name,
        template_version=version_name,
        template_content=content,
        description=description[:200],
        parameters=resolved,
        mode=mode,
        loop_mode=loop_mode,
        safety_check=safety_check,
        status=ExecutionStatus.QUEUED,
        executed_by=executed_by or actor_name(user),
        client_token=client_token,
        trigger=trigger,
        parent=parent,
        parent_task_execution=parent_task_execution,
        wake_at=now,
    )
    execution.parameters = _render_default_expressions(execution, parsed, parameters or {})
    try:
        with transaction.atomic():
            if client_token:
                _expire_client_token(tenant, client_token, now)
            execution.save(force_insert=True)
            if tags:
                tag_service.set_tags(tenant, TAG_RESOURCE, execution.pk, tags)
            if template is not None:
                count_execution(template)
    except IntegrityError:
        existing = _by_client_token(tenant, client_token) if client_token else None
        if existing is None:
            raise
        return existing  # a concurrent call with the same token won the race
    enqueue(execution.pk)
    return execution


def _by_client_token(tenant: Tenant, token: str) -> Execution | None:
    since = timezone.now() - CLIENT_TOKEN_TTL
    return Execution.objects.filter(tenant=tenant, client_token=token, created_at__gte=since).first()


def _expire_client_token(tenant: Tenant, token: str, now: dt.datetime) -> None:
    """A token older than 24 hours may be used again: release it from its old execution."""
    Execution.objects.filter(tenant=tenant, client_token=token, created_at__lt=now - CLIENT_TOKEN_TTL).update(
        client_token=""
    )


def _render_default_expressions(execution: Execution, parsed, given: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults may be expressions (``{{ ACS::ExecutionId }}``): render them once, at start."""
    resolved = dict(execution.parameters)
    needs = [name for name in resolved if name not in given and expressions.references(resolved[name])]
    if not needs:
        return resolved
    context = {k: v for k, v in resolved.items() if k not in needs}
    context.update({"ACS::ExecutionId": execution.id, "ACS::TemplateName": execution.template_name,
                    "ACS::ExecutedBy": execution.executed_by, "ACS::AccountId": str(execution.tenant_id)})
    for name in needs:
        try:
            resolved[name] = expressions.render(resolved[name], context)
        except expressions.ExpressionError as exc:
            raise InvalidParameter(f"Parameters.{name}", f"default cannot be evaluated: {exc}") from exc
    return resolved


def start_child_execution(
    parent: Execution, task_execution: TaskExecution, name: str, version: str | None, parameters: dict
) -> Execution:
    """``ACS::Template``: run another template as a child of a task execution."""
    template = (
        Template.objects.filter(name=name, tenant=parent.tenant).first()
        or Template.objects.filter(name=name, tenant__isnull=True).first()
    )
    if template is None:
        raise LookupError(f"template {name!r} does not exist")
    child = start_execution(
        tenant=parent.tenant,
        user=SYSTEM,  # the parent's run was authorized; its children are the engine's doing
        executed_by=parent.executed_by,
        template=template,
        version=version,
        parameters=parameters,
        mode=Mode.AUTOMATIC if parent.mode == Mode.DEBUG else parent.mode,
        loop_mode=parent.loop_mode,
        safety_check=parent.safety_check,
        trigger=parent.trigger,
        parent=parent,
        parent_task_execution=task_execution,
        project=parent.project,
    )
    task_execution.child_execution_id = child.pk
    return child


def cancel_execution(execution: Execution, user) -> Execution:
    """Ask the engine to cancel: running tasks, child executions and vSphere tasks go with it."""
    require(user, execution.tenant, Scope.RUN, "running or controlling executions")
    if not execution.is_finished:
        request_cancel(execution, timezone.now(), by=actor_name(user))
        execution.refresh_from_db()
    return execution


def delete_executions(tenant: Tenant, user, ids: Iterable[str]) -> int:
    """Delete finished executions (1–100 ids); a running one is a clear conflict."""
    require(user, tenant, Scope.RUN, "running templates")
    ids = list(dict.fromkeys(ids))
    if not 1 <= len(ids) <= MAX_DELETE:
        raise InvalidParameter("ExecutionIds", f"give 1 to {MAX_DELETE} execution ids, got {len(ids)}")
    found = {e.pk: e for e in Execution.objects.filter(tenant=tenant, pk__in=ids, parent__isnull=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("Execution", missing[0])
    running = [e.pk for e in found.values() if e.status not in FINISHED_STATUSES]
    if running:
        raise Conflict(
            f"execution {running[0]} is {found[running[0]].status}; cancel it before deleting it",
            code="InvalidStatus.Execution",
        )
    with transaction.atomic():
        tag_service.remove_tags(TAG_RESOURCE, ids)
        Execution.objects.filter(pk__in=ids).delete()
    return len(ids)


# ---------------------------------------------------------------------- notify


def notify_execution(
    execution: Execution,
    user,
    notify_type: str,
    *,
    task_execution_id: str | None = None,
    task_name: str | None = None,
    loop_item: Any = None,
    parameters: Mapping[str, Any] | None = None,
    execution_status: str | None = None,
    note: str = "",
) -> Execution:
    """Approve, Reject, ExecuteTask, CancelTask or CompleteExecution, as OOS NotifyExecution."""
    require(user, execution.tenant, Scope.RUN, "running or controlling executions")
    if notify_type not in NOTIFY_TYPES:
        raise InvalidParameter("NotifyType", f"must be one of {', '.join(NOTIFY_TYPES)}, got {notify_type!r}")
    who = actor_name(user)
    with transaction.atomic():
        execution = Execution.objects.select_for_update().get(pk=execution.pk)
        if execution.is_finished:
            raise Conflict(f"execution {execution.pk} is {execution.status}", code="InvalidStatus.Execution")
        now = timezone.now()
        round_ = Round(execution, now, defer_external=True)
        record = {"type": notify_type, "by": who, "note": note, "at": now.isoformat()}
        handler = _NOTIFY_HANDLERS[notify_type]
        handler(round_, execution, record, task_execution_id=task_execution_id, task_name=task_name,
                loop_item=loop_item, parameters=parameters, execution_status=execution_status)
        round_.log(f"{notify_type} by {who}" + (f": {note}" if note else "") + ".")
        round_.run_after_result()
        round_.commit()
        Execution.objects.filter(pk=execution.pk).update(wake_at=now)
    enqueue(execution.pk)
    execution.refresh_from_db()
    return execution


def _target(round_: Round, task_execution_id, task_name, loop_item, statuses) -> TaskExecution:
    candidates = [te for te in round_.active.values() if te.status in statuses]
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
    if reason == "approval":
        round_.apply_result(te, task, Done({"Approved": True, "ApprovedBy": record["by"], "Note": record["note"]}))
    elif reason == "confirmation":
        te.extra["confirmed"] = True
        _release(round_, te, now=round_.now)
    elif reason == "manual":
        te.extra["released"] = True
        _release(round_, te, now=round_.now)
    elif reason == "batch":
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
    manual = [te for te in round_.active.values() if te.extra.get("waiting_for") == "manual"]
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
    round_._cancel_action(te, task)
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


# ---------------------------------------------------------------------- re-run


def rerun_execution(execution: Execution, user, *, failed_items_only: bool = True) -> Execution:
    """Resume a Failed execution from its failed task, keeping everything that succeeded.

    For a loop, only its failed items run again (or, with ``failed_items_only=False``,
    the whole loop). Nested templates re-run their own failed part the same way.
    """
    require(user, execution.tenant, Scope.RUN, "running or controlling executions")
    with transaction.atomic():
        execution = Execution.objects.select_for_update().get(pk=execution.pk)
        if execution.status != ExecutionStatus.FAILED:
            raise Conflict(f"only a Failed execution can be re-run; {execution.pk} is {execution.status}",
                           code="InvalidStatus.Execution")
        failed = (
            TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=True,
                                         status=TaskStatus.FAILED)
            .order_by("-created_at", "-id")
            .first()
        )
        if failed is None:
            raise Conflict("the execution has no failed task to resume from", code="InvalidStatus.Execution")
        now = timezone.now()
        state = execution.state
        state.pop("failed", None)
        state["done"].pop(failed.task_name, None)
        loop = failed.extra.get("loop")
        if loop is not None and failed_items_only:
            _reopen_loop(execution, failed, loop, now)
        elif failed.child_execution_id and failed.child_execution.status == ExecutionStatus.FAILED:
            rerun_execution(failed.child_execution, None, failed_items_only=failed_items_only)
            failed.status, failed.end_date, failed.wake_at = TaskStatus.RUNNING, None, None
            failed.save(update_fields=["status", "end_date", "wake_at", "updated_at"])
        else:
            state["ready"] = [failed.task_name]
        execution.state = state
        execution.status, execution.status_message, execution.end_date = ExecutionStatus.RUNNING, "", None
        execution.wake_at = now
        execution.save()
        who = actor_name(user)
        ExecutionLog.objects.create(
            execution=execution, created_at=now, message=f"Re-run from failed task {failed.task_name} by {who}."
        )
    enqueue(execution.pk)
    return execution


def _reopen_loop(execution: Execution, parent: TaskExecution, loop: dict, now) -> None:
    failed_indices = sorted(
        TaskExecution.objects.filter(parent_task_execution=parent, status=TaskStatus.FAILED)
        .values_list("loop_index", flat=True)
    )
    loop["retry"] = list(failed_indices)
    loop["failed"] = 0
    parent.status, parent.end_date, parent.wake_at, parent.status_message = TaskStatus.RUNNING, None, now, ""
    parent.extra["loop"] = loop
    parent.save(update_fields=["status", "end_date", "wake_at", "status_message", "extra", "updated_at"])
