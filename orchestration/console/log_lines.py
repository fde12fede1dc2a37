"""Reading an execution's log lines a window at a time, and writing them out as text, JSON lines or the pane's HTML.

Lines are read by keyset on their id (``execlog_exec_idx``: execution, id): a window
before or after a line, or the whole log in batches for a download. A log of a million
lines is never one query's result nor one list in memory.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from orchestration.console import phrases
from orchestration.models import Execution, ExecutionLog, LogType, Scope, TaskExecution
from orchestration.services.task_execution_queries import LogFilter, filter_logs

WINDOW = 200  # lines per page of the log pane ("Show older lines" adds the next 200)
BATCH = 2000  # lines per query while streaming a download
FIELDS = ("id", "created_at", "log_type", "message", "task_execution__task_name")  # what one line says


# What a log line shows: not its task execution's JSON columns (a loop's holds every item).
LINE_COLUMNS = ("id", "created_at", "log_type", "message", "execution_id", "task_execution_id",
                "task_execution__task_name")


def lines_of(user, execution: Execution, task: str = "", log_type: str = "") -> QuerySet[ExecutionLog]:
    """The execution's lines the user may read, narrowed to a task name and a log type when given."""
    spec = LogFilter(execution_id=execution.pk, task_name=task or None,
                     log_type=log_type if log_type in LogType.values else None)
    rows = filter_logs(ExecutionLog.objects.for_user(user, Scope.VIEW), spec)
    return rows.select_related("task_execution").only(*LINE_COLUMNS)


@dataclass
class Window:
    lines: list[ExecutionLog]
    has_older: bool
    has_newer: bool

    @property
    def first_id(self) -> int | None:
        return self.lines[0].id if self.lines else None

    @property
    def last_id(self) -> int | None:
        return self.lines[-1].id if self.lines else None


def window(rows: QuerySet[ExecutionLog], *, before: int | None = None, after: int | None = None,
           around: int | None = None) -> Window:
    """A page of lines, oldest first: the newest ones, those before/after a line id, or those around one."""
    rows = rows.select_related("task_execution")
    if after is not None:
        found = list(rows.filter(id__gt=after).order_by("id")[: WINDOW + 1])
        return Window(found[:WINDOW], has_older=True, has_newer=len(found) > WINDOW)
    if around is not None:  # a permalink: the line in the middle of its window
        later = list(rows.filter(id__gte=around).order_by("id").values_list("id", flat=True)[: WINDOW // 2])
        before = (later[-1] if later else around) + 1
        has_newer = rows.filter(id__gte=before).exists()
    else:
        has_newer = False
    if before is not None:
        rows = rows.filter(id__lt=before)
    found = list(rows.order_by("-id")[: WINDOW + 1])
    lines = found[:WINDOW]
    lines.reverse()
    return Window(lines, has_older=len(found) > WINDOW, has_newer=has_newer)


def keyset(rows: QuerySet[ExecutionLog], batch: int = BATCH) -> Iterator[dict]:
    """Every line oldest first, ``batch`` rows per query, resuming after the last id seen.

    Each batch is a range scan of ``execlog_exec_idx`` with no join; the task names of a
    batch come from one query on the task executions' primary key (and are remembered).
    """
    last = 0
    names: dict[str, str] = {}
    while True:
        chunk = list(rows.filter(id__gt=last).order_by("id").values(*FIELDS[:-1], "task_execution_id")[:batch])
        unknown = {line["task_execution_id"] for line in chunk} - names.keys() - {None}
        if unknown:
            names.update(TaskExecution.objects.filter(pk__in=unknown).values_list("pk", "task_name"))
        for line in chunk:
            line["task_execution__task_name"] = names.get(line.pop("task_execution_id"), "")
            yield line
        if len(chunk) < batch:
            return
        last = chunk[-1]["id"]


def export(rows: QuerySet[ExecutionLog], write: Callable[[dict], str], lines_per_chunk: int = 500) -> Iterator[str]:
    """The lines written out, a few hundred to a chunk (one per line would cost a write each)."""
    chunk: list[str] = []
    for line in keyset(rows):
        chunk.append(write(line))
        if len(chunk) >= lines_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def as_text(line: dict) -> str:
    """``2026-12-02T01:32:42.120Z [Action] stop_vm: message`` (one line; newlines in a message kept)."""
    task = f" {line['task_execution__task_name']}:" if line["task_execution__task_name"] else ""
    return f"{_iso(line['created_at'])} [{line['log_type']}]{task} {line['message']}\n"


def as_json_line(line: dict) -> str:
    record = {"id": line["id"], "time": _iso(line["created_at"]), "type": line["log_type"],
              "task": line["task_execution__task_name"], "message": line["message"]}
    return json.dumps(record, ensure_ascii=False) + "\n"


def as_html(lines: list[ExecutionLog], link: str, highlight: str = "") -> SafeString:
    """The pane's ``<li>`` per line, every value escaped; ``highlight`` is a permalinked line's id.

    A window is hundreds of lines on every poll of a live log: built here in one pass
    (one template include per line cost ~0.3 ms a line: its context, three ``date``
    filters and two translations each), escaping with the standard library's ``escape``
    (what Django's calls, without its lazy-string wrapper per value).
    """
    link, label = escape(link), escape(gettext("Link to this line"))
    out = []
    for log in lines:
        when = timezone.localtime(log.created_at)
        task = log.task_execution.task_name if log.task_execution_id else ""
        task_html = f'<code class="log-task">{escape(task)}</code> ' if task else ""
        out.append(
            f'<li id="log-{log.id}" class="log log-{escape(log.log_type.lower())}'
            f'{" log-highlight" if highlight == str(log.id) else ""}">'
            f'<a class="log-link" href="{link}?line={log.id}#log-{log.id}" title="{label}" aria-label="{label}">#</a>'
            f'<time datetime="{when.isoformat()}" title="{when:%Y-%m-%d %H:%M:%S.%f} {escape(when.tzname() or "")}">'
            f'{when:%H:%M:%S}</time> {task_html}'
            f'<span class="log-msg">{escape(phrases.translate(log.message or ""))}</span></li>')
    return mark_safe("".join(out))  # every free value above went through escape()
