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
from orchestration.engine import operations
from orchestration.engine.dispatch import enqueue
from orchestration.engine.endings import request_cancel
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
from templates_app.services.templates import checked_content, count_execution, find_template, get_version

CLIENT_TOKEN_TTL = dt.timedelta(hours=24)
MAX_DELETE = 100
TAG_RESOURCE = "execution"


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
                    "ACS::ExecutedBy": execution.executed_by, "ACS::ExecuteUser": execution.executed_by,
                    "ACS::AccountId": str(execution.tenant_id), **expressions.clock_parameters(timezone.now())})
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
    try:
        template = find_template(SYSTEM, name, tenant=parent.tenant)
    except NotFound:
        raise LookupError(f"template {name!r} does not exist") from None
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
    operations.check_notify_type(notify_type)
    who = actor_name(user)
    with transaction.atomic():
        execution = Execution.objects.select_for_update().get(pk=execution.pk)
        if execution.is_finished:
            raise Conflict(f"execution {execution.pk} is {execution.status}", code="InvalidStatus.Execution")
        operations.notify(execution, notify_type, by=who, note=note, task_execution_id=task_execution_id,
                          task_name=task_name, loop_item=loop_item, parameters=parameters,
                          execution_status=execution_status)
    enqueue(execution.pk)
    execution.refresh_from_db()
    return execution


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
        child = operations.reopen_from_failure(execution, failed, now, failed_items_only=failed_items_only)
        if child is not None:  # the failure is inside a nested template: re-run that part too
            rerun_execution(child, SYSTEM, failed_items_only=failed_items_only)
        who = actor_name(user)
        ExecutionLog.objects.create(
            execution=execution, created_at=now, message=f"Re-run from failed task {failed.task_name} by {who}."
        )
    enqueue(execution.pk)
    return execution
