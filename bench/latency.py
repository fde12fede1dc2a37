"""Start latency and idle CPU of the engine (used by ``bench/engine.py``).

* **start latency**: ``start_execution`` of a one-step no-op template (what the API's
  create calls), then wait for the execution to be Success. The figure is the time from
  just before the call to the execution's ``end_date`` (written by the worker in the
  round that finished it, a moment before that round commits), so the benchmark's own
  polling for the result adds nothing to it. Runs are sequential, 50 ms apart, so
  each one starts from an idle cluster, as a user's call does; 200 of them, so the p99
  is not simply the slowest run.
* **idle CPU**: every process of ``qcluster`` (sentinel, pusher, monitor, workers) and
  of ``runengine`` is sampled from ``/proc`` over a quiet window; the busiest process's
  share of one core is what the target is about.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def database_name() -> str:
    from django.db import connection

    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(connection.vendor, connection.vendor)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def start_latency(tenant, user, template, runs: int = 50) -> dict:
    from django.utils import timezone

    from orchestration.models import Execution
    from orchestration.services.executions import start_execution

    samples, calls, failed, slowest = [], [], 0, {}
    for _ in range(runs):
        time.sleep(0.05)
        called = timezone.now()
        execution_id = start_execution(tenant=tenant, user=user, template=template, safety_check="Skip").pk
        calls.append((timezone.now() - called).total_seconds() * 1000)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            execution = Execution.objects.only("status", "start_date", "end_date").get(pk=execution_id)
            if execution.is_finished:
                break
            time.sleep(0.005)
        if execution.status != "Success":
            failed += 1
            continue
        samples.append((execution.end_date - called).total_seconds() * 1000)
        if samples[-1] >= max(samples):  # where the slowest run's time went
            slowest = {"ms": round(samples[-1], 1), "call_ms": round(calls[-1], 1),
                       "to_round_start_ms": round((execution.start_date - called).total_seconds() * 1000, 1)}
    return {
        "runs": runs,
        "failed": failed,
        "p50_ms": round(statistics.median(samples), 1),
        "p90_ms": round(percentile(samples, 0.90), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "max_ms": round(max(samples), 1),
        # Of which the call itself (validation, the rows, queueing), before any worker is involved.
        "call_p50_ms": round(statistics.median(calls), 1),
        "slowest": slowest,
    }


def _group_cpu_seconds(pgid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) of every live process in process group ``pgid``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            found[int(entry.name)] = (cmdline[-60:], (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return found


def idle_cpu(procs: list[subprocess.Popen], settle: float = 10.0, window: float = 60.0) -> dict:
    """Each process's share of one core over ``window`` quiet seconds (after ``settle``).

    ``settle`` outlasts the last run's lease (4 s), whose expiry the ticker was told of
    and wakes for once; the window is long enough that one clock tick (10 ms) is 0.017 %.
    """
    time.sleep(settle)
    before = {p.pid: _group_cpu_seconds(p.pid) for p in procs}
    time.sleep(window)
    after = {p.pid: _group_cpu_seconds(p.pid) for p in procs}
    shares = []
    for pgid, processes in after.items():
        for pid, (name, seconds) in processes.items():
            if pid in before[pgid]:
                shares.append((round(100 * (seconds - before[pgid][pid][1]) / window, 3), name))
    shares.sort(reverse=True)
    return {
        "window_seconds": window,
        "busiest_process_percent_of_a_core": shares[0][0] if shares else None,
        "processes": [{"percent_of_a_core": share, "process": name} for share, name in shares],
    }


def on_sqlite(runs: int) -> dict:
    """The same start latency and idle CPU on the embedded default: a fresh SQLite file."""
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as directory:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory}/db.sqlite3"}
        out = subprocess.run([sys.executable, "bench/engine.py", "--latency-only", "--runs", str(runs)],
                             cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=900)
    return json.loads(out.stdout)
