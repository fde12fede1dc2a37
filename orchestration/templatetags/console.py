"""Template filters of the operator console (``{% load console %}``).

Thin wrappers: the mappings live in :mod:`orchestration.console.labels`; this module
only exists here because Django finds tag libraries in installed apps' ``templatetags``.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from django import template
from django.utils.translation import gettext as _

from orchestration.console import labels, log_lines, phrases, timing
from orchestration.models import WaitingFor
from vsphere.actions.guest import results_of

register = template.Library()


@register.filter
def status_label(value: str, kind: str = "status"):
    """``{{ execution.status|status_label }}``; ``{{ task.status|status_label:"vsphere_task" }}``."""
    return labels.label(value or "", kind)


@register.filter
def phrase(text: str) -> str:
    """A stored English log line or message, shown in the active language (``{{ log.message|phrase }}``)."""
    return phrases.translate(text or "")


@register.simple_tag(takes_context=True)
def log_items(context, logs):
    """``{% log_items logs %}``: the log pane's lines, linked to ``log_link``, ``log_line`` highlighted."""
    return log_lines.as_html(logs or [], context.get("log_link", ""), str(context.get("log_line", "")))


@register.filter
def megabytes(value) -> str:
    """Memory in MB as MB or GB (``2048`` → ``2 GB``)."""
    if value in (None, ""):
        return ""
    value = int(value)
    if value >= 1024 and value % 1024 == 0:
        return f"{value // 1024} GB"
    if value >= 1024:
        return f"{value / 1024:.1f} GB"
    return f"{value} MB"


@register.filter
def epoch(value):
    """Epoch seconds (vSphere task times) as an aware datetime for the ``date`` filter."""
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


@register.filter
def waiting_label(reason: str | None) -> str:
    """What a waiting step waits for, in words (``{{ te.extra.waiting_for|waiting_label }}``)."""
    return WaitingFor(reason).label if reason in WaitingFor.values else ""


@register.filter
def rejectable(reason: str | None) -> bool:
    """Whether a waiting step offers Reject (approvals do; manual starts and loop batches do not)."""
    return WaitingFor.rejectable(reason)


@register.simple_tag
def when(value):
    """``{% when execution.start_date %}``: "3 minutes ago", exact time in the title."""
    return timing.time_element(value)


@register.simple_tag
def took(start, end):
    """``{% took te.start_date te.end_date %}``: "2 min 5 s", counting up while running."""
    return timing.duration_element(start, end)


@register.filter
def pretty_json(value) -> str:
    """A JSON value indented for reading (task outputs)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@register.filter
def guest_results(task_execution) -> list[dict]:
    """RunCommand's per-VM results (exit code, output, duration) of a task execution, each with
    its ``streams``: (text, truncated, label) for standard output and standard error."""
    rows = results_of(task_execution.task_action, task_execution.extra or {})
    for row in rows:
        row["streams"] = [(row["Output"], row["OutputTruncated"], _("Standard output")),
                          (row["StdErr"], row["StdErrTruncated"], _("Standard error"))]
    return rows
