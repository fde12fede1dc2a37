"""Benchmark: a ``/metrics`` scrape on a table of a million executions, next to ``/healthz``.

    .venv/bin/python bench/metrics.py [--executions 1000000] [--live 500] [--requests 50]

It uses ``DATABASE_URL`` when set, else starts a throwaway PostgreSQL of its own
(``bench/infra.py``, state in ``/tmp/bench-pg-metrics``). It writes ``--executions``
execution rows in one SQL statement (a year of history: all but ``--live`` of them
finished, in two tenants), ANALYZEs, then
times ``--requests`` scrapes of ``/metrics`` and as many of ``/healthz`` (which touches
no table) through Django's test client, and prints one JSON object: p50/p99 of each, the
difference (what the scrape's queries cost), and the plan of the live-status count.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import infra  # noqa: E402


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def fill(executions: int, live: int) -> None:
    """``executions`` rows, every NOT NULL column given, ``live`` of them unfinished."""
    from django.db import connection, models

    from orchestration.models import Execution, Tenant

    tenants = [Tenant.objects.create(name=f"bench-{n}-{time.time_ns()}", email="b@bench.test").pk for n in (1, 2)]
    columns, values = [], []
    special = {
        "id": "'exec-bench' || lpad(g::text, 12, '0')",
        "tenant": f"CASE WHEN g %% 3 = 0 THEN {tenants[0]} ELSE {tenants[1]} END",
        "status": (f"CASE WHEN g <= {live} THEN (ARRAY['Queued','Running','Waiting'])[1 + g %% 3] "
                   "ELSE (ARRAY['Success','Success','Success','Failed','Cancelled'])[1 + g %% 5] END"),
        "created_at": f"now() - (g * interval '1 year' / {executions})",
        "updated_at": "now()",
        "wake_at": f"CASE WHEN g <= {live} THEN now() + interval '1 hour' END",
    }
    for field in Execution._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.name in special:
            values.append(special[field.name])
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.JSONField):
            values.append("'{}'::jsonb" if field.default is dict else "'[]'::jsonb")
        elif isinstance(field, models.BooleanField):
            values.append("false")
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        else:
            values.append(f"'{field.default}'" if isinstance(field.default, str) else "''")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {Execution._meta.db_table} ({', '.join(columns)}) "
                       f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS g", [executions])
        cursor.execute(f"ANALYZE {Execution._meta.db_table}")


def timings(client, path: str, requests: int) -> list[float]:
    client.get(path)  # warm: connection, imports
    spent = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return sorted(spent)


def percentile(sorted_ms: list[float], fraction: float) -> float:
    return round(sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * fraction))], 1)


def live_status_plan() -> str:
    from django.db import connection

    from orchestration.models import Execution
    from orchestration.services.monitoring import LIVE_STATUSES

    sql, params = (Execution.objects.filter(status__in=LIVE_STATUSES).order_by().values_list("status")
                   .query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) SELECT status, count(*) FROM ({sql}) s GROUP BY status", params)
        return " | ".join(row[0].strip() for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--live", type=int, default=500, help="unfinished executions among them")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    # A state directory of its own: other benchmarks may run meanwhile.
    with infra.service("postgres.sh", "DATABASE_URL", "/tmp/bench-pg-metrics"):
        setup_django()
        from django.test import Client

        started = time.perf_counter()
        fill(args.executions, args.live)
        filled_in = time.perf_counter() - started
        client = Client()
        metrics, healthz = timings(client, "/metrics", args.requests), timings(client, "/healthz", args.requests)
        report = {
            "executions": args.executions, "live": args.live, "fill_seconds": round(filled_in, 1),
            "metrics_ms": {"p50": percentile(metrics, 0.5), "p99": percentile(metrics, 0.99)},
            "healthz_ms": {"p50": percentile(healthz, 0.5), "p99": percentile(healthz, 0.99)},
            "scrape_cost_ms_p50": round(statistics.median(metrics) - statistics.median(healthz), 1),
            "live_status_plan": live_status_plan(),
        }
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
