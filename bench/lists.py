"""List benchmark (not a test): every list and detail on every face, at a million executions.

Generates the data set of :mod:`bench.lists_data` in SQL (skipped when the database
already holds it, so a second run after a migration measures the same rows), starts
gunicorn with two workers, and times each page sequentially over a warm keep-alive
connection: native API (each filter and ordering, first and 50th page), the cloud faces'
list actions through their official SDKs, the three vSphere task-list endpoints, the
console's list and detail pages (the big execution and its live fragment included) and
the admin changelists. Each line gives p50/p99 over the requests made (``--requests``, 100,
so the p99 is not just the slowest one; at most ``--budget`` seconds per page, so a slow
baseline still finishes), beside a trivial
endpoint (``/healthz``) measured in the same run.

Usage (PostgreSQL from DATABASE_URL, or a throwaway one started for the run):

    .venv/bin/python bench/lists.py                 # 1M executions (scale 1)
    .venv/bin/python bench/lists.py --quick         # scale 0.01: a smoke test
    .venv/bin/python bench/lists.py --only console  # pages whose name contains "console"
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import infra, lists_data, lists_faces  # noqa: E402

TARGET_MS, BIG_TARGET_MS = 100, 200


def setup_django() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # gunicorn serves the manifest's names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "API_KEY_RATE": "", "API_THROTTLE_USER": "1000000/minute",
           "API_THROTTLE_ANON": "1000000/minute", "ALLOWED_HOSTS": "127.0.0.1,localhost", "DEBUG": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
                             "--timeout", "300", "--log-level", "warning"], cwd=ROOT, env=env,
                            start_new_session=True)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not come up")


def stop(proc: subprocess.Popen) -> None:
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(name: str, call, requests: int, budget: float, least: int = 5) -> dict:
    """p50/p99 of ``call()`` (which raises on a wrong answer) after two warm-up calls."""
    try:
        call()
        call()
    except Exception as exc:  # a page that fails is reported, not fatal: the rest still get measured
        return {"page": name, "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < requests and (time.perf_counter() - started < budget or len(samples) < least):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1000)
    return {"page": name, "n": len(samples), "p50": round(statistics.median(samples), 1),
            "p99": round(percentile(samples, 0.99), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a million executions")
    parser.add_argument("--quick", action="store_true", help="scale 0.01 and 10 requests a page")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds at most per page")
    parser.add_argument("--least", type=int, default=5, help="requests a page gets whatever the budget")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--shared-buffers", default="6GB",
                        help="PostgreSQL's cache when the benchmark starts its own (a quarter of this machine's RAM)")
    args = parser.parse_args()
    if args.quick:
        args.scale, args.requests = min(args.scale, 0.01), min(args.requests, 10)
    with infra.postgres("" if args.quick else args.shared_buffers):  # a smoke test needs no big cache
        run(args)


def run(args: argparse.Namespace) -> None:
    setup_django()
    if not lists_data.present():
        print(f"generating the data set at scale {args.scale} …", flush=True)
        lists_data.generate(lists_data.Sizes.at(args.scale))
    fixtures = lists_data.fixtures()
    port = free_port()
    proc = start_gunicorn(port)
    results = []
    try:
        pages = lists_faces.pages(f"http://127.0.0.1:{port}", fixtures)
        for name, call in pages:
            if args.only and args.only not in name and name != "trivial: /healthz":
                continue
            result = measure(name, call, args.requests, args.budget, args.least)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        stop(proc)
    report(results, args)


def report(results: list[dict], args: argparse.Namespace) -> None:
    measured = [r for r in results if "p99" in r]
    over = [r for r in measured if r["p99"] >= (BIG_TARGET_MS if "big execution" in r["page"] else TARGET_MS)]
    summary = {"pages": len(results), "failed": [r for r in results if "error" in r],
               "over_target": [f"{r['page']}: p99 {r['p99']} ms" for r in over]}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, **summary}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
