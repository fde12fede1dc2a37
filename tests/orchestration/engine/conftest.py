"""Engine test fixtures: test-only actions and a driver that advances executions in-process.

The driver calls the same ``advance`` the workers call; only the queue is skipped
(tests that depend on real workers start them, see test_workers.py).
"""
from __future__ import annotations

import itertools
import time
from typing import Any, ClassVar

import pytest
from django.utils import timezone

from orchestration.actions import register
from orchestration.actions.base import Action
from orchestration.authorization import SYSTEM
from orchestration.engine.results import Done, Failed
from orchestration.engine.runner import advance
from orchestration.models import FINISHED_STATUSES, Execution
from templates_app.services.templates import create_template

FAILURES: dict[str, int] = {}


@register
class RecordAction(Action):
    """Succeeds with its properties as output (so tests can see what was rendered)."""

    name = "Test::Record"
    type = "Atomic.Control"
    properties_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def start(self, ctx):
        ctx.log(f"recorded {ctx.properties.get('Value')!r}")
        return Done({"Value": ctx.properties.get("Value"), "Properties": ctx.properties})


@register
class FlakyAction(Action):
    """Fails its first ``Failures`` tries (counted per task execution), then succeeds."""

    name = "Test::Flaky"
    type = "Atomic.Control"
    properties_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def start(self, ctx):
        key = ctx.properties.get("Key", ctx.task_execution.id)
        FAILURES[key] = FAILURES.get(key, 0) + 1
        if FAILURES[key] <= ctx.properties.get("Failures", 0):
            return Failed(f"flaky failure {FAILURES[key]}")
        return Done({"Value": ctx.properties.get("Value"), "Attempts": FAILURES[key]})


@register
class DangerAction(Action):
    """A high-risk action with no side effect, for safety-check tests."""

    name = "Test::Danger"
    type = "Atomic.Control"
    risk = "High"
    properties_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def start(self, ctx):
        return Done({"Done": True})


_names = itertools.count()


@pytest.fixture
def make_template(tenant_a, operator_a):
    def make(body: dict, name: str | None = None):
        import json

        return create_template(
            tenant=tenant_a, actor=SYSTEM, name=name or f"tpl{next(_names)}", content=json.dumps(body)
        )

    return make


def tpl(*tasks, parameters=None, outputs=None) -> dict:
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": list(tasks)}
    if parameters:
        body["Parameters"] = parameters
    if outputs:
        body["Outputs"] = outputs
    return body


def drive(execution: Execution | str, timeout: float = 20.0) -> Execution:
    """Advance until the execution ends or waits for a person, sleeping until wake-ups."""
    execution_id = execution if isinstance(execution, str) else execution.pk
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        advance(execution_id)
        current = Execution.objects.get(pk=execution_id)
        if current.is_finished:
            return current
        children = Execution.objects.filter(parent_id=execution_id).exclude(status__in=FINISHED_STATUSES)
        for child in children:
            drive(child, timeout=max(0.1, deadline - time.monotonic()))
        if children:
            continue
        if current.wake_at is None:
            return current  # waits for a person
        time.sleep(min(0.2, max(0.0, (current.wake_at - timezone.now()).total_seconds())))
    raise AssertionError(f"{execution_id} did not settle in {timeout} s")
