"""Handing executions to django-q2 workers."""
from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

ADVANCE_TASK = "orchestration.tasks.advance"


def enqueue(execution_id: str) -> None:
    """Queue ``advance(execution_id)`` once the current transaction commits.

    If queueing fails the execution is not lost: its ``wake_at`` makes the ticker
    queue it again.
    """

    def send() -> None:
        from django_q.tasks import async_task

        try:
            async_task(ADVANCE_TASK, execution_id, group="engine", q_options={"save": False})
        except Exception:  # broker down: the ticker retries from wake_at
            logger.exception("could not queue execution %s", execution_id)

    transaction.on_commit(send)
