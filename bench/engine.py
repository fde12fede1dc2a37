"""Engine benchmark (not a test): throughput and per-transition overhead on real workers.

Measures, in one run on the same PostgreSQL:

* the raw single-row INSERT + COMMIT rate of the database (the machine's limit);
* N executions of a template with M no-op steps and a Loop of K items at
  Concurrency C, carried by 2 django-q2 workers and the engine ticker: task
  executions per second, end to end (queueing, leases, rounds, commits);
* the engine overhead per task transition: the same executions advanced in this
  process, timing every round (its decisions plus its commit) and dividing by the
  transitions it made; median and p99 over rounds;
* one 1,000-item loop at Concurrency 50, end to end on the workers;
* start latency (:mod:`bench.latency`): the call that starts a one-step no-op
  execution until it is Success, 200 runs one after another on an otherwise idle
  cluster, and the CPU each process of the cluster and the ticker uses while idle —
  on PostgreSQL, and on the embedded SQLite default (a child process of this one).

Usage (PostgreSQL from DATABASE_URL, or a throwaway one started for the run):

    .venv/bin/python bench/engine.py [--executions 20 --steps 10 --items 100 --concurrency 10]
    .venv/bin/python bench/engine.py --latency-only   # start latency and idle CPU alone
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import infra, latency  # noqa: E402


def setup_django() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def raw_commit_rate(seconds: float = 3.0) -> float:
    """Single-row INSERT + COMMIT per iteration, one connection: the database's commit limit."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, payload text)")
        cursor.execute("TRUNCATE bench_raw")
    connection.set_autocommit(False)
    count, started = 0, time.perf_counter()
    with connection.cursor() as cursor:
        while time.perf_counter() - started < seconds:
            cursor.execute("INSERT INTO bench_raw (payload) VALUES (%s)", ["x" * 64])
            connection.commit()
            count += 1
    connection.set_autocommit(True)
    return count / (time.perf_counter() - started)


def start_processes() -> list[subprocess.Popen]:
    """Two workers and the ticker, with the shipped defaults (poll, lease, wake-ups)."""
    env = {**os.environ, "Q_WORKERS": "2", "LOG_LEVEL": "WARNING"}
    procs = []
    for args in (["qcluster"], ["runengine", "--interval", "0.2"]):
        procs.append(subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    return procs


def stop_processes(procs: list[subprocess.Popen]) -> None:
    import signal

    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def fixtures():
    from django.contrib.auth import get_user_model

    from orchestration.models import Membership, Role, Tenant

    tenant, _ = Tenant.objects.get_or_create(name="bench")
    user, _ = get_user_model().objects.get_or_create(username="bench")
    Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": Role.OPERATOR})
    return tenant, user


def template_for(tenant, name: str, steps: int, items: int, concurrency: int):
    from orchestration.authorization import SYSTEM
    from templates_app.models import Template
    from templates_app.services.templates import create_template

    noop = {"Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}
    tasks = [{"Name": f"step{i}", **noop} for i in range(steps)]
    if items:
        tasks.append({"Name": "loop", **noop, "Properties": {"Duration": "PT0S"},
                      "Loop": {"Items": list(range(items)), "Concurrency": concurrency, "MaxErrors": 0}})
    Template.objects.filter(tenant=tenant, name=name).delete()
    return create_template(tenant=tenant, actor=SYSTEM, name=name,
                           content=json.dumps({"FormatVersion": "OOS-2019-06-01", "Tasks": tasks}))


def run_scenario(tenant, user, template, count: int, timeout: float = 600) -> dict:
    from orchestration.models import Execution, TaskExecution
    from orchestration.services.executions import start_execution

    started = time.perf_counter()
    ids = [start_execution(tenant=tenant, user=user, template=template, safety_check="Skip").pk
           for _ in range(count)]
    while time.perf_counter() - started < timeout:
        if not Execution.objects.filter(pk__in=ids).exclude(status__in=["Success", "Failed", "Cancelled"]).exists():
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    executions = list(Execution.objects.filter(pk__in=ids))
    failed = [e.pk for e in executions if e.status != "Success"]
    task_executions = TaskExecution.objects.filter(execution_id__in=ids).count()
    queued = sorted((e.start_date - e.created_at).total_seconds() for e in executions if e.start_date)
    running = sorted((e.end_date - e.start_date).total_seconds() for e in executions if e.end_date and e.start_date)
    return {
        "queue_latency_seconds_median": round(statistics.median(queued), 3) if queued else None,
        "queue_latency_seconds_max": round(queued[-1], 3) if queued else None,
        "run_seconds_median": round(statistics.median(running), 3) if running else None,
        "executions": count,
        "failed": failed,
        "task_executions": task_executions,
        "wall_seconds": round(wall, 3),
        "task_executions_per_second": round(task_executions / wall, 1),
    }


def transition_overhead(tenant, user, template, count: int) -> dict:
    """Advance executions in this process and time each round per transition it made."""
    from orchestration.engine import rounds, runner
    from orchestration.services.executions import start_execution

    samples: list[float] = []
    original_run, original_commit = rounds.Round.run, rounds.Round.commit

    def timed_run(self):
        self._bench_started = time.perf_counter()
        return original_run(self)

    def timed_commit(self, *args, **kwargs):
        original_commit(self, *args, **kwargs)
        started = getattr(self, "_bench_started", None)
        if started is not None and self.transitions:
            samples.append((time.perf_counter() - started) * 1000 / self.transitions)

    rounds.Round.run, rounds.Round.commit = timed_run, timed_commit
    try:
        for _ in range(count):
            execution = start_execution(tenant=tenant, user=user, template=template, safety_check="Skip")
            runner.advance(execution.pk)
    finally:
        rounds.Round.run, rounds.Round.commit = original_run, original_commit
    samples.sort()
    return {
        "rounds": len(samples),
        "overhead_ms_per_transition_median": round(statistics.median(samples), 3),
        "overhead_ms_per_transition_p99": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=20)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--latency-only", action="store_true", help="start latency and idle CPU only")
    parser.add_argument("--runs", type=int, default=200, help="start latency runs")
    args = parser.parse_args()

    if os.environ.get("DATABASE_URL", "").startswith("sqlite"):
        print(json.dumps(run_latency(args), indent=2))
        return
    with infra.postgres():
        if args.latency_only:
            result = {"raw_insert_commit_per_second": round(raw_commit_rate_after_setup(), 1), **run_latency(args)}
        else:
            result = run(args)
    result["sqlite"] = latency.on_sqlite(args.runs)
    print(json.dumps(result, indent=2))


def raw_commit_rate_after_setup() -> float:
    setup_django()
    return raw_commit_rate()


def run_latency(args: argparse.Namespace) -> dict:
    """Start latency and idle CPU on the database of DATABASE_URL, with fresh processes."""
    setup_django()
    tenant, user = fixtures()
    template = template_for(tenant, "bench-noop", 1, 0, 1)
    procs = start_processes()
    try:
        warm = run_scenario(tenant, user, template, 2, timeout=120)
        if warm["failed"]:
            raise SystemExit(f"workers did not come up: {warm}")
        return {"database": latency.database_name(),
                "start_latency": latency.start_latency(tenant, user, template, args.runs),
                "idle_cpu": latency.idle_cpu(procs)}
    finally:
        stop_processes(procs)


def run(args: argparse.Namespace) -> dict:
    setup_django()
    raw = raw_commit_rate()
    tenant, user = fixtures()
    mixed = template_for(tenant, "bench-mixed", args.steps, args.items, args.concurrency)
    big_loop = template_for(tenant, "bench-loop-1000", 0, 1000, 50)
    noop = template_for(tenant, "bench-noop", 1, 0, 1)
    procs = start_processes()
    try:
        warm = run_scenario(tenant, user, template_for(tenant, "bench-warmup", 1, 0, 1), 2, timeout=120)
        if warm["failed"]:
            raise SystemExit(f"workers did not come up: {warm}")
        start = latency.start_latency(tenant, user, noop, args.runs)
        idle = latency.idle_cpu(procs)
        scenario = run_scenario(tenant, user, mixed, args.executions)
        loop = run_scenario(tenant, user, big_loop, 1)
    finally:
        stop_processes(procs)
    overhead = transition_overhead(tenant, user, mixed, args.executions)
    result = {
        "database": "PostgreSQL",
        "raw_insert_commit_per_second": round(raw, 1),
        "scenario": {"executions": args.executions, "steps": args.steps, "loop_items": args.items,
                     "concurrency": args.concurrency, **scenario},
        "ratio_task_executions_to_raw_commits": round(scenario["task_executions_per_second"] / raw, 3),
        "in_process": overhead,
        "loop_1000_items_concurrency_50_seconds": loop["wall_seconds"],
        "loop_1000_failed": loop["failed"],
        "start_latency": start,
        "idle_cpu": idle,
    }
    return result


if __name__ == "__main__":
    main()
