"""``advance``: take the lease, run rounds until nothing is due, release.

Each round is one transaction under the execution's row lock. Actions that reach
the outside world are called between rounds, outside any transaction: the round
before has committed their try as started, the transaction after records the answer.
"""
from __future__ import annotations

import logging
import time
import uuid

from django.db import transaction
from django.utils import timezone

from orchestration.availability import Outage, is_unavailable
from orchestration.models import Execution, TaskExecution

from . import leases, metrics
from .results import Failed
from .rounds import Round

logger = logging.getLogger(__name__)

MAX_ROUNDS = 200
MAX_SECONDS = 20.0  # then hand back to the queue, so one busy execution cannot hog a worker
HAND_BACK_SECONDS = 30.0


def advance(execution_id: str) -> None:
    owner = uuid.uuid4().hex
    for _ in range(3):  # someone may wake us just as we release; look again, a few times
        try:
            if not leases.acquire(execution_id, owner):
                return
            next_due = _advance_held(execution_id, owner)
        except BaseException as exc:
            # A lost database or a shutdown signal: the rounds committed so far stand and
            # the one in flight rolled back; handing the lease back lets another worker
            # resume in seconds instead of after its expiry. A bug keeps the lease until
            # it expires, so it is retried a lease's length later, not on every tick.
            if is_unavailable(exc) or not isinstance(exc, Exception):
                hand_back(execution_id, owner)
            raise
        leases.release(execution_id, owner, next_due)
        due = Execution.objects.filter(pk=execution_id, wake_at__lte=timezone.now(), lease_owner="").exists()
        if not due:
            return


def hand_back(execution_id: str, owner: str) -> None:
    """Release the lease, due at once; while the database is down, keep trying a while.

    Tries until the lease would have expired anyway (at most ``HAND_BACK_SECONDS``): a
    short outage then costs seconds, and a long one no more than the lease itself.
    """
    outage = Outage(f"handing back execution {execution_id}")
    deadline = time.monotonic() + min(leases.LEASE_SECONDS, HAND_BACK_SECONDS)
    while True:
        try:
            leases.release(execution_id, owner, timezone.now())
            outage.succeeded()
            return
        except Exception as exc:
            delay = outage.failed(exc)
            if not is_unavailable(exc) or time.monotonic() + delay > deadline:
                logger.warning("could not hand back execution %s; it resumes when its lease expires", execution_id)
                return
            time.sleep(delay)


def _advance_held(execution_id: str, owner: str):
    started = time.monotonic()
    next_due = None
    for _ in range(MAX_ROUNDS):
        progressed, external, next_due = _run_round(execution_id, owner)
        pending = list(external)
        while pending:  # an answer may start the next outside-world action at once
            kind, te_id = pending.pop(0)
            pending.extend(_call_outside(execution_id, owner, kind, te_id))
        if not progressed and not external:
            break
        if time.monotonic() - started > MAX_SECONDS:
            leases.extend(execution_id, owner)
            return timezone.now()  # more to do: due again at once
        leases.extend(execution_id, owner)
    return next_due


@metrics.ROUND_DURATION.time()
def _run_round(execution_id: str, owner: str):
    with transaction.atomic():
        execution = Execution.objects.select_for_update().filter(pk=execution_id, lease_owner=owner).first()
        if execution is None or execution.is_finished:
            return False, [], None
        round_ = Round(execution, timezone.now())
        round_.run()
        progressed = round_.transitions > 0 or execution.is_finished
        external = list(round_.external)
        round_.commit()
        next_due = None if execution.is_finished else execution.wake_at
        if not execution.is_finished and next_due is not None:
            # While we hold the lease, wake_at never passes its expiry (recovery).
            execution.wake_at = min(next_due, execution.lease_expires_at or next_due)
            Execution.objects.filter(pk=execution.pk).update(wake_at=execution.wake_at)
        return progressed, external, next_due


def _call_outside(execution_id: str, owner: str, kind: str, te_id: str) -> list[tuple[str, str]]:
    """Call an external action's start or poll, then record its answer in a new round.

    Returns the outside-world calls that recording the answer made due (the next
    task's start, say), already committed as started.
    """
    te = TaskExecution.objects.select_related("execution").get(pk=te_id)
    execution = te.execution
    with transaction.atomic():
        probe = Round(execution, timezone.now(), active=[])
        task = probe.tasks[te.task_name]
        action = probe.action_for(task)
        ctx = probe.action_context(te)
    # Hold the lease for as long as the call may take, so no other worker takes over mid-call.
    leases.extend(execution_id, owner, action.call_seconds(ctx.properties))
    try:
        result = action.start(ctx) if kind == "start" else action.poll(ctx)
    except Exception as exc:  # the action's own failure, reported on the task
        if probe.secrets.versions:  # its message may quote a secret: log it redacted, without the traceback
            logger.error("action %s of %s failed: %s", task.action, te_id, probe.secrets.redact(f"{exc!r}"))
        else:
            logger.exception("action %s of %s failed", task.action, te_id)
        result = Failed(f"{task.action}: {exc}")
    with transaction.atomic():
        execution = Execution.objects.select_for_update().filter(pk=execution_id, lease_owner=owner).first()
        if execution is None:
            return []
        round_ = Round(execution, timezone.now())
        current = round_.active.get(te_id)
        if current is None:  # cancelled meanwhile
            return []
        if kind == "start" and current.extra.get("phase") != "starting":
            return []
        current.extra["action"] = ctx.state
        round_.apply_result(current, task, result, ctx)
        round_.run_after_result()
        round_.commit()
        return list(round_.external)
