"""Benchmark: streaming an execution's log download against the raw read of the same rows.

    .venv/bin/python bench/log_export.py [--lines 200000]

It uses ``DATABASE_URL`` when set, else starts a throwaway PostgreSQL (``bench/infra.py``).
One execution gets ``--lines`` log lines; then, in the same run:

- **raw read**: the rows' fields read with the ORM's server-side cursor
  (``.values().iterator()``), formatting nothing — the floor for any export;
- **download**: the console's ``logs/download/?format=jsonl`` consumed to the end through
  the Django test client (keyset batches, one JSON line per row);
- **first byte**: time until the download's first chunk;
- **memory**: Python's peak allocation (tracemalloc, in a second pass: tracing slows the
  code it traces) while streaming the download, next to the peak of holding every row in
  one list (what a non-streaming view would need).

Prints one JSON object; the targets are a time ratio under 3 and a memory ratio under 0.2.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000, help="log lines of the execution (default 200000)")
    args = parser.parse_args()
    with infra.postgres():
        run(args)


def seconds_of(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def peak_of(function) -> int:
    """Peak bytes Python allocated while ``function`` ran (timed apart: tracing slows everything)."""
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def run(args: argparse.Namespace) -> None:
    setup_django()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from orchestration.console import log_lines
    from orchestration.models import Execution, ExecutionLog, Membership, Role, Tenant

    tenant = Tenant.objects.create(name=f"bench-{time.time_ns()}")
    user = get_user_model().objects.create_user(f"bench-{time.time_ns()}", password="bench")
    Membership.objects.create(user=user, tenant=tenant, role=Role.ADMIN)
    execution = Execution.objects.create(tenant=tenant, template_name="bench", template_version="v1",
                                         template_content="{}", status="Success")
    now = timezone.now()
    for start in range(0, args.lines, 10_000):
        ExecutionLog.objects.bulk_create(
            ExecutionLog(execution=execution, created_at=now, log_type="Action",
                         message=f"Task step {i}: the action answered with a message of ordinary length.")
            for i in range(start, min(args.lines, start + 10_000)))
    with connection.cursor() as cursor:  # as autovacuum would, once the rows are there
        cursor.execute("ANALYZE orchestration_executionlog")
    rows = ExecutionLog.objects.filter(execution=execution)

    def raw() -> None:
        for _row in rows.order_by("id").values(*log_lines.FIELDS).iterator(chunk_size=log_lines.BATCH):
            pass

    client = Client()
    client.force_login(user)
    session = client.session
    session["console.tenant"] = tenant.pk
    session.save()
    first_byte: list[float] = []
    counted: list[int] = []

    def download() -> None:
        started = time.perf_counter()
        response = client.get(f"/console/executions/{execution.pk}/logs/download/", {"format": "jsonl"})
        lines = 0
        for chunk in response.streaming_content:
            if not first_byte:
                first_byte.append(time.perf_counter() - started)
            lines += chunk.count(b"\n")
        counted.append(lines)

    def hold_all() -> None:
        held = list(rows.order_by("id").values(*log_lines.FIELDS))
        assert len(held) == args.lines

    raw()  # warm the table's pages for both sides, and the URLconf for the first request
    client.get(f"/console/executions/{execution.pk}/logs/raw/", {"type": "Error"})
    raw_seconds = min(seconds_of(raw) for _ in range(2))
    download_seconds = seconds_of(download)
    first_byte_seconds = first_byte[0]
    download_peak = peak_of(download)
    hold_peak = peak_of(hold_all)
    assert counted[0] == args.lines, counted
    print(json.dumps({
        "lines": args.lines,
        "raw_read_seconds": round(raw_seconds, 3),
        "download_seconds": round(download_seconds, 3),
        "lines_per_second": round(args.lines / download_seconds),
        "time_ratio_to_raw_read": round(download_seconds / raw_seconds, 2),
        "first_byte_ms": round(first_byte_seconds * 1000, 1),
        "download_peak_mib": round(download_peak / 2**20, 1),
        "all_rows_in_a_list_peak_mib": round(hold_peak / 2**20, 1),
        "memory_ratio": round(download_peak / hold_peak, 3),
    }, indent=2))


if __name__ == "__main__":
    main()
