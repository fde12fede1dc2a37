"""Loop progress for the execution page: done / failed / running of total, one query for all loops.

Items are child task executions created as slots free up, so counting children gives
what has run, not the whole; the total is the length of the loop's item list the
engine stored on the loop's own task execution (``extra["loop"]["items"]``). The
per-status numbers are one ``GROUP BY`` over the parent/status index, never the rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from orchestration.models import TaskExecution, TaskStatus

FAILED = (TaskStatus.FAILED, TaskStatus.CANCELLED)


@dataclass(frozen=True)
class Progress:
    done: int
    failed: int
    running: int
    total: int

    @property
    def done_percent(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0

    @property
    def failed_percent(self) -> float:
        return round(100 * self.failed / self.total, 1) if self.total else 0.0


def loop_progress(loops: Iterable[TaskExecution]) -> dict[str, Progress]:
    """Progress of each loop task execution in ``loops`` (others are ignored), by id."""
    totals = {te.pk: len(te.extra["loop"].get("items") or ()) for te in loops
              if isinstance(te.extra.get("loop"), dict)}
    if not totals:
        return {}
    rows = (
        TaskExecution.objects.filter(parent_task_execution_id__in=list(totals))
        .values("parent_task_execution_id")
        .annotate(
            # Distinct items: a retried item leaves its failed row beside the new one.
            done=Count("loop_index", distinct=True, filter=Q(status=TaskStatus.SUCCESS)),
            failed=Count("loop_index", distinct=True, filter=Q(status__in=FAILED)),
            running=Count("id", filter=~Q(status__in=(TaskStatus.SUCCESS, *FAILED, TaskStatus.SKIPPED))),
        )
        .order_by()
    )
    counted = {row["parent_task_execution_id"]: row for row in rows}
    found = {}
    for pk, total in totals.items():
        row = counted.get(pk, {"done": 0, "failed": 0, "running": 0})
        found[pk] = Progress(done=min(row["done"], total), failed=min(row["failed"], max(0, total - row["done"])),
                             running=row["running"], total=total)
    return found
