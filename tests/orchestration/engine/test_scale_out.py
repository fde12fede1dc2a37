"""Scale-out as the README's "Production and scale-out" deploys it: two machines, one
PostgreSQL, one Redis broker, and one machine lost to ``kill -9`` in the middle of a run.

Each machine is a qcluster (worker cluster) and a runengine (ticker), each in a process
group of its own, with a metrics directory of its own (PROMETHEUS_MULTIPROC_DIR); machine
A also serves the web. While 20 executions of a 300-item loop run, timer triggers (one-off
times and a cron every few seconds) and django-q2 schedules come due; machine B is then
killed outright. Machine A alone finishes the work, and from the database: every loop item
ran exactly once, every one-off trigger fired once, the cron trigger never more often than its
slots, every schedule ran once. A's ``/metrics`` adds up its web, worker and ticker processes.

Real processes, nothing mocked (see ``stack.py``).
"""
from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from .stack import Stack, wait_for

ITEMS = 300
EXECUTIONS = 20
LEASE_SECONDS = 8  # how long a dead machine's executions wait to be taken over
NOOP = {"Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}
LOOP = {
    "FormatVersion": "OOS-2019-06-01",
    "Tasks": [
        {"Name": "each", **NOOP, "Loop": {"Items": list(range(ITEMS)), "Concurrency": 10, "MaxErrors": 0}},
        {"Name": "done", **NOOP},
    ],
}
ONE_TASK = {"FormatVersion": "OOS-2019-06-01", "Tasks": [{"Name": "only", **NOOP}]}
ONE_OFF_TRIGGERS = 8
CRON_SECONDS = 3
MACHINES = ("a", "b")


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, ENGINE_LEASE_SECONDS=str(LEASE_SECONDS), ENGINE_REQUEUE_SECONDS="3")
    stack.machines = {}
    for machine in MACHINES:
        metrics_dir = tmp_path / f"metrics-{machine}"
        metrics_dir.mkdir()
        stack.machines[machine] = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    stack.start_database()
    try:
        stack.start_redis()
        stack.seed_data = stack.seed()
        stack.start_web(env=stack.machines["a"])
        for machine in MACHINES:
            stack.start_worker(f"worker-{machine}", env=stack.machines[machine])
            stack.start_ticker(f"ticker-{machine}", env=stack.machines[machine])
        yield stack
    finally:
        stack.stop_all()
        stack.stop_database()


def kill_machine(stack: Stack, machine: str) -> None:
    for process in (f"worker-{machine}", f"ticker-{machine}"):
        stack.signal(process, signal.SIGKILL, group=True)
    wait_for(lambda: not any(stack.group_alive(f"{p}-{machine}") for p in ("worker", "ticker")),
             timeout=10, interval=0.1, what=f"machine {machine} gone")


def create_template(api: requests.Session, stack: Stack, name: str, body: dict) -> str:
    created = api.post(f"{stack.base}/api/v1/templates/", json={"name": name, "content": json.dumps(body)})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def create_triggers(api: requests.Session, stack: Stack, template: str) -> tuple[list[str], int]:
    """One-off triggers due every two seconds from now on, and a cron trigger; their names and the cron's id."""
    now = datetime.now(UTC)
    tenant = stack.seed_data["company"]
    names = []
    for n in range(ONE_OFF_TRIGGERS):
        name = f"once-{n}"
        run_at = (now + timedelta(seconds=3 + 2 * n)).isoformat()
        made = api.post(f"{stack.base}/api/v1/timer-triggers/", json={
            "tenant": tenant, "template": template, "name": name, "run_at": run_at})
        assert made.status_code == 201, made.text
        names.append(name)
    cron = api.post(f"{stack.base}/api/v1/timer-triggers/", json={
        "tenant": tenant, "template": template, "name": "cron", "cron": f"* * * * * */{CRON_SECONDS}"})
    assert cron.status_code == 201, cron.text
    return names, cron.json()["id"]


def create_schedules(stack: Stack, due: datetime, count: int) -> list[str]:
    """django-q2 one-off schedules (fired by the clusters' own scheduler), as rows an operator's tool writes."""
    names = [f"scale-schedule-{n}" for n in range(count)]
    for n, name in enumerate(names):
        stack.sql("INSERT INTO django_q_schedule (name, func, args, schedule_type, repeats, next_run) "
                  "VALUES (%s, 'math.floor', '1.5', 'O', -1, %s) RETURNING id", name, due + timedelta(seconds=n))
    return names


def items_done(stack: Stack) -> int:
    return stack.sql("SELECT count(*) FROM orchestration_taskexecution "
                     "WHERE parent_task_execution_id IS NOT NULL AND status = 'Success'")[0][0]


def unfinished(stack: Stack, ids: list[str]) -> int:
    return stack.sql("SELECT count(*) FROM orchestration_execution WHERE id = ANY(%s) AND status <> 'Success'",
                     ids)[0][0]


def dead_leases(stack: Stack) -> set[str]:
    """Executions whose lease nobody renews: the same holder and expiry four seconds apart (a live
    worker renews after every round, in milliseconds; a lease taken over meanwhile has a new holder)."""
    query = "SELECT id, lease_owner, lease_expires_at FROM orchestration_execution WHERE lease_owner <> ''"
    first = set(stack.sql(query))
    time.sleep(4)
    return {row[0] for row in first & set(stack.sql(query))}


def scrape(stack: Stack) -> dict[tuple[str, tuple], float]:
    response = requests.get(f"{stack.base}/metrics", timeout=10)
    assert response.status_code == 200, response.text[:300]
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def test_two_machines_lose_one_and_every_item_trigger_and_schedule_runs_once(stack):
    began = time.monotonic()
    api = stack.api(stack.seed_data["token"])
    create_template(api, stack, "scale-loop", LOOP)
    once_names, cron_id = create_triggers(api, stack, create_template(api, stack, "scale-tick", ONE_TASK))
    ids = []
    for _ in range(EXECUTIONS):
        started = api.post(f"{stack.base}/api/v1/executions/", json={"template": "scale-loop"})
        assert started.status_code == 201, started.text
        ids.append(started.json()["id"])

    total = ITEMS * EXECUTIONS
    wait_for(lambda: items_done(stack) >= total // 5, timeout=90, interval=0.2, what="a fifth of the items done")
    kill_machine(stack, "b")
    killed_at = time.monotonic()
    kill_after = killed_at - began
    killed_at_db = stack.sql("SELECT now()")[0][0]
    # Counted at the kill: machine A goes on working while the dead leases are watched.
    done_at_kill = items_done(stack)
    assert done_at_kill < total, "the run ended before the machine was killed: nothing was tested"
    held_by_the_dead = dead_leases(stack)
    # Due now that only machine A is left: a message B's cluster had taken from Redis would
    # be lost with it (Redis has no acknowledgement), so schedules come due after the kill.
    schedules = create_schedules(stack, datetime.now(UTC), count=3)

    wait_for(lambda: unfinished(stack, ids) == 0, timeout=120, interval=0.5, what="every execution Success")
    recovered_in = time.monotonic() - killed_at
    wait_for(lambda: stack.sql("SELECT count(*) FROM orchestration_timertrigger WHERE name LIKE 'once-%%' "
                               "AND last_run_at IS NOT NULL")[0][0] == ONE_OFF_TRIGGERS,
             timeout=60, interval=0.5, what="every one-off trigger fired")
    wait_for(lambda: stack.sql("SELECT count(DISTINCT \"group\") FROM django_q_task WHERE \"group\" = ANY(%s)",
                               schedules)[0][0] == len(schedules),
             timeout=75, interval=1, what="every schedule ran (django-q2 looks about every 30 s)")
    disabled = api.patch(f"{stack.base}/api/v1/timer-triggers/{cron_id}/", json={"enabled": False})
    assert disabled.status_code == 200, disabled.text

    # Every loop item exactly once, on the first try.
    rows = stack.sql(
        "SELECT execution_id, count(*), count(DISTINCT loop_index), max(tries) FROM orchestration_taskexecution "
        "WHERE parent_task_execution_id IS NOT NULL AND execution_id = ANY(%s) GROUP BY execution_id", ids)
    assert len(rows) == EXECUTIONS
    for execution_id, runs, distinct_items, tries in rows:
        assert (runs, distinct_items, tries) == (ITEMS, ITEMS, 1), f"{execution_id}: items lost, doubled or retried"

    # Every one-off trigger started exactly one execution, and each ran to Success.
    fired = dict(stack.sql(
        "SELECT description, count(*) FROM orchestration_execution WHERE trigger = 'Timer' "
        "AND description = ANY(%s) GROUP BY description", [f"Timer trigger {name}" for name in once_names]))
    assert fired == {f"Timer trigger {name}": 1 for name in once_names}
    # The cron trigger never fired more often than its slots came (a late firing is followed
    # at once by the next slot's, so slots are judged by their number, not by timestamps),
    # and it kept firing after the kill.
    fired_count, first, last, after_kill = stack.sql(
        "SELECT count(*), extract(epoch FROM min(created_at)), extract(epoch FROM max(created_at)), "
        "count(*) FILTER (WHERE created_at > %s) FROM orchestration_execution "
        "WHERE description = 'Timer trigger cron'", killed_at_db)[0]
    slots_between = int(last) // CRON_SECONDS - int(first) // CRON_SECONDS + 1
    assert fired_count <= slots_between + 1, (fired_count, slots_between)
    assert after_kill >= 3, after_kill
    fired_at = [row[0] for row in stack.sql("SELECT created_at FROM orchestration_execution "
                                            "WHERE description = 'Timer trigger cron' ORDER BY created_at")]
    gaps = sorted(round((b - a).total_seconds(), 2) for a, b in zip(fired_at, fired_at[1:], strict=False))
    wait_for(lambda: stack.sql("SELECT count(*) FROM orchestration_execution WHERE trigger = 'Timer' "
                               "AND status <> 'Success'")[0][0] == 0,
             timeout=30, interval=0.5, what="every triggered execution Success")
    # Every schedule ran exactly once.
    ran = dict(stack.sql("SELECT \"group\", count(*) FROM django_q_task WHERE \"group\" = ANY(%s) AND success "
                         "GROUP BY \"group\"", schedules))
    assert ran == dict.fromkeys(schedules, 1)

    # Machine A's /metrics adds up its processes: rounds and starts happen in the worker, not the web.
    figures = scrape(stack)
    assert figures[("orchestration_execution_start_latency_seconds_count", ())] >= 1
    assert figures[("orchestration_engine_round_duration_seconds_count", ())] >= 1
    assert figures[("orchestration_executions_finished_total", (("status", "Success"),))] >= 1
    assert figures[("orchestration_engine_lease_takeovers_total", ())] >= len(held_by_the_dead)
    assert figures[("orchestration_executions", (("status", "Running"),))] == 0
    print(f"machine b killed {kill_after:.1f} s in, with {done_at_kill}/{total} items done and "
          f"{len(held_by_the_dead)} leases held; machine a finished the rest {recovered_in:.1f} s later; "
          f"triggers and schedules checked {time.monotonic() - killed_at:.1f} s after the kill; "
          f"cron: {fired_count} firings in {slots_between} slots, shortest gaps {gaps[:3]} s")
