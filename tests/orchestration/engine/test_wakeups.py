"""Wake-ups without polling on PostgreSQL (real processes, ``stack.py``).

The workers' and the ticker's fallback looks are set to a minute, so anything that
happens within a second or two here was woken by LISTEN/NOTIFY: a started execution,
a sleep coming due, an approval.
"""
from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from .stack import Stack, wait_for

SLOW_FALLBACK = {"ENGINE_WAKEUP_FALLBACK_SECONDS": "60", "Q_POLL": "60"}


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, **SLOW_FALLBACK)
    stack.start_database()
    try:
        stack.seed_data = stack.seed()
        stack.start_web()
        stack.start_worker()
        stack.start_ticker()
        yield stack
    finally:
        stack.stop_all()
        stack.stop_database()


def run(stack: Stack, name: str, *tasks: dict) -> str:
    api = stack.api(stack.seed_data["token"])
    content = json.dumps({"FormatVersion": "OOS-2019-06-01", "Tasks": list(tasks)})
    assert api.post(f"{stack.base}/api/v1/templates/", json={"name": name, "content": content}).status_code == 201
    started = api.post(f"{stack.base}/api/v1/executions/", json={"template": name})
    assert started.status_code == 201, started.text
    return started.json()["id"]


def finished(stack: Stack, execution_id: str) -> tuple[str, datetime, datetime] | None:
    [(status, created, ended)] = stack.sql(
        "SELECT status, created_at, end_date FROM orchestration_execution WHERE id = %s", execution_id)
    return (status, created, ended) if ended is not None else None


def test_start_sleep_and_approval_wake_the_engine_without_polling(stack):
    warm = run(stack, "warm-up", {"Name": "noop", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}})
    wait_for(lambda: finished(stack, warm), timeout=60, what="the cluster up")
    time.sleep(1)  # idle, waiting on its channel

    noop = run(stack, "noop", {"Name": "noop", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}})
    status, created, ended = wait_for(lambda: finished(stack, noop), timeout=10, what="the no-op done")
    assert status == "Success"
    assert (ended - created).total_seconds() < 2  # a polling worker here would take up to a minute

    nap = run(stack, "nap", {"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT1S"}},
              {"Name": "after", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}})
    status, created, ended = wait_for(lambda: finished(stack, nap), timeout=10, what="the sleep done")
    assert status == "Success"
    assert 1 <= (ended - created).total_seconds() < 2.5  # the ticker woke when the sleep came due

    waiting = run(stack, "approval", {"Name": "approve", "Action": "ACS::Approve", "Properties": {"Message": "ok?"}},
                  {"Name": "after", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}})
    api = stack.api(stack.seed_data["token"])
    url = f"{stack.base}/api/v1/executions/{waiting}/"
    te = wait_for(lambda: api.get(f"{url}task-executions/", params={"status": "Waiting"}).json()["results"],
                  timeout=10, what="the approval waiting")[0]
    approved = time.monotonic()
    answer = api.post(f"{url}notify/", json={"notify_type": "Approve", "task_execution_id": te["id"]})
    assert answer.status_code == 200, answer.text
    status, _, _ = wait_for(lambda: finished(stack, waiting), timeout=10, interval=0.02, what="approved and done")
    assert status == "Success"
    assert time.monotonic() - approved < 2
