"""``advance``: take the lease, run rounds until nothing is due, release.

Each round is one transaction under the execution's row lock, ending with the fenced
write of :func:`.leases.save_fenced`. Actions that reach the outside world are called
between rounds, outside any transaction: the round before has committed their try as
started, the transaction after records the answer. The heartbeat renews the lease
throughout; if another worker took it over meanwhile, :class:`.leases.LeaseLost` ends
this ``advance`` with nothing written.
"""
from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import transaction
from django.utils import timezone

from orchestration.availability import Outage, is_unavailable
from orchestration.models import Execution, TaskExecution

from . import leases, metrics
from .heartbeat import beating
from .results import Failed
from .rounds import Round

logger = logging.getLogger(__name__)

MAX_ROUNDS = 200
MAX_SECONDS = 20.0  # then hand back to the queue, so one busy execution cannot hog a worker
HAND_BACK_SECONDS = 30.0
BUG_RETRY_SECONDS = 60.0


class Hold:
    """One worker's hold on one execution: its lease token, and whether a round gave it back."""

    def __init__(self, execution_id: str) -> None:
        self.execution_id = execution_id
        self.owner = leases.new_owner()
        self.released = False  # the round that finished the execution released the lease

    def save(self, execution: Execution) -> None:
        """How rounds write the execution row: fenced, and released with the execution's end."""
        leases.save_fenced(execution, self.owner, release=execution.is_finished)
        self.released = execution.is_finished


def advance(execution_id: str) -> None:
    for _ in range(3):  # someone may wake us just as we release; look again, a few times
        hold = Hold(execution_id)
        owner = hold.owner
        try:
            if not leases.acquire(execution_id, owner):
                return
            with beating(execution_id, owner):
                next_due = _advance_held(hold)
            # Inside the try: a shutdown signal during this release still hands the lease back.
            if hold.released or not leases.release(execution_id, owner, next_due):
                return
        except leases.LeaseLost:
            logger.warning("execution %s was taken over by another worker; this worker's round is discarded",
                           execution_id)
            return
        except BaseException as exc:
            # A lost database or a shutdown signal: the rounds committed so far stand and
            # the one in flight rolled back; handing the lease back lets another worker
            # resume at once instead of after its expiry. A bug is retried
            # BUG_RETRY_SECONDS later, not on every tick.
            if is_unavailable(exc) or not isinstance(exc, Exception):
                hand_back(execution_id, owner)
            else:
                _release_quietly(execution_id, owner, timezone.now() + dt.timedelta(seconds=BUG_RETRY_SECONDS))
            raise


def _release_quietly(execution_id: str, owner: str, next_due) -> None:
    try:
        leases.release(execution_id, owner, next_due)
    except Exception:  # the lease then runs out by itself
        logger.exception("could not release execution %s", execution_id)


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


def _advance_held(hold: Hold) -> dt.datetime | None:
    """Rounds and outside calls until nothing is due; returns the next wake-up."""
    started = time.monotonic()
    next_due = None
    for _ in range(MAX_ROUNDS):
        progressed, external, next_due = _run_round(hold)
        pending = list(external)
        while pending and not hold.released:  # an answer may start the next outside-world action at once
            kind, te_id = pending.pop(0)
            pending.extend(_call_outside(hold, kind, te_id))
        if hold.released or (not progressed and not external):
            break
        if time.monotonic() - started > MAX_SECONDS:
            return timezone.now()  # more to do: due again at once
    return next_due


@metrics.ROUND_DURATION.time()
def _run_round(hold: Hold) -> tuple[bool, list[tuple[str, str]], dt.datetime | None]:
    with transaction.atomic():
        execution = leases.lock_for_round(hold.execution_id, hold.owner)
        if execution.is_finished:  # ended meanwhile (a notify): release below
            return False, [], None
        round_ = Round(execution, timezone.now())
        round_.run()
        progressed = round_.transitions > 0 or execution.is_finished
        external = list(round_.external)
        next_due: list[dt.datetime | None] = []

        def save(ex: Execution) -> None:
            next_due.append(None if ex.is_finished else ex.wake_at)  # before the lease caps it
            hold.save(ex)

        round_.commit(save)
        return progressed, external, next_due[0]


def _call_outside(hold: Hold, kind: str, te_id: str) -> list[tuple[str, str]]:
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
    try:  # as long as the call takes, the heartbeat keeps the lease
        result = action.start(ctx) if kind == "start" else action.poll(ctx)
    except Exception as exc:  # the action's own failure, reported on the task
        if probe.secrets.versions:  # its message may quote a secret: log it redacted, without the traceback
            logger.error("action %s of %s failed: %s", task.action, te_id, probe.secrets.redact(f"{exc!r}"))
        else:
            logger.exception("action %s of %s failed", task.action, te_id)
        result = Failed(f"{task.action}: {exc}")
    with transaction.atomic():
        execution = leases.lock_for_round(hold.execution_id, hold.owner)
        round_ = Round(execution, timezone.now())
        current = round_.active.get(te_id)
        if current is None:  # cancelled meanwhile
            return []
        if kind == "start" and current.extra.get("phase") != "starting":
            return []
        round_.apply_result(current, task, result, ctx)  # stores the action's state, redacted
        round_.run_after_result()
        round_.commit(hold.save)
        return list(round_.external)
