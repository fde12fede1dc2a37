"""An execution's logs: the pane (a window of lines that pages back, follows, and opens at a
permalinked line), the raw text view, and downloads as text or JSON lines.

Downloads stream (``StreamingHttpResponse`` over a keyset iterator), so a large log
costs one batch of rows in memory, not the whole log.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from orchestration.console import log_lines
from orchestration.console.access import signed_in
from orchestration.console.errors import service_errors
from orchestration.console.execution_lookup import find_execution
from orchestration.errors import InvalidParameter
from orchestration.models import Execution

POLL_SECONDS = 2
FORMATS = {
    "text": (log_lines.as_text, "text/plain; charset=utf-8", "log"),
    "jsonl": (log_lines.as_json_line, "application/x-ndjson; charset=utf-8", "jsonl"),
}


def _line_id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 19:
        raise InvalidParameter(name, "must be a log line id")
    return int(value)


def logs_context(request: HttpRequest, execution: Execution) -> dict[str, Any]:
    """The log pane: a window of lines (around ``line`` for a permalink), and what may come next."""
    task = request.GET.get("task", "")
    log_type = request.GET.get("type", "")
    rows = log_lines.lines_of(request.user, execution, task, log_type)
    after = _line_id(request, "after")
    shown = log_lines.window(rows, before=_line_id(request, "before"), after=after, around=_line_id(request, "line"))
    return {
        "execution": execution,
        "log_link": reverse("console:execution-detail", args=[execution.pk]),  # once, not once per line
        "logs": shown.lines,
        "log_window": shown,
        "log_task": task,
        "log_type": log_type,
        "log_follow": not execution.is_finished,
        "log_line": request.GET.get("line", ""),
        "log_after": after or 0,
        "poll_seconds": POLL_SECONDS,
    }


@signed_in
@service_errors("executions")
def execution_logs(request: HttpRequest, execution_id: str) -> HttpResponse:
    """The pane (filters changed), or with ``before``/``after`` only the lines to add to it."""
    execution = find_execution(request, execution_id)
    context = logs_context(request, execution)
    if "before" in request.GET:
        return render(request, "console/executions/_log_older.html", context)
    if "after" in request.GET:
        return render(request, "console/executions/_log_newer.html", context)
    return render(request, "console/executions/_logs.html", context)


def _streamed(request: HttpRequest, execution_id: str, fmt: str, attachment: bool) -> StreamingHttpResponse:
    execution = find_execution(request, execution_id)
    if fmt not in FORMATS:
        raise InvalidParameter("format", f"must be one of {', '.join(FORMATS)}")
    write, content_type, extension = FORMATS[fmt]
    rows = log_lines.lines_of(request.user, execution, request.GET.get("task", ""), request.GET.get("type", ""))
    response = StreamingHttpResponse(log_lines.export(rows, write), content_type=content_type)
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{execution.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
@service_errors("executions")
def execution_log_download(request: HttpRequest, execution_id: str) -> StreamingHttpResponse:
    """``?format=text`` (default) or ``jsonl``, as a file named after the execution."""
    return _streamed(request, execution_id, request.GET.get("format", "text"), attachment=True)


@signed_in
@service_errors("executions")
def execution_log_raw(request: HttpRequest, execution_id: str) -> StreamingHttpResponse:
    """The whole log as plain text in the browser (for reading, searching with the browser, or curl)."""
    return _streamed(request, execution_id, "text", attachment=False)
