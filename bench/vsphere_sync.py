"""Benchmark: task sync throughput against the raw pyVmomi read of the same tasks.

    .venv/bin/python bench/vsphere_sync.py [--tasks 2000]

It uses ``DATABASE_URL`` and ``VCSIM_URL`` when set, else starts a throwaway PostgreSQL
and simulator of its own (``bench/infra.py``); ``DATABASE_URL=sqlite:///…`` measures
the embedded database. The run power-cycles VMs, so give it a simulator no test
shares. The simulator keeps at most
200 tasks in ``recentTask`` and has no history collector, so thousands of tasks are
generated in rounds of up to 200 (power cycles across the VMs). Each round times the
raw read and a sync that ingests those tasks. The raw read is the sync's own read,
called alone: ``read_recent`` — one ``RetrievePropertiesEx`` of every recent TaskInfo
through the same pooled session, deserialized by pyVmomi — so both sides read the same
TaskInfos the same way and the ratio is the cost of everything the sync adds (database
queries, conversion, the upsert). The two alternate which goes first from round to
round so neither always meets the simulator or the garbage collector in the same state.
Finally an incremental sync with nothing new is timed next to one bare round trip and
a raw read. The same rounds' events (each power operation posts some) are measured the
same way: the raw ``EventHistoryCollector`` read of the next window (``read_events``)
against ``sync_events``, which reads that window and stores what is new.
Prints one JSON object: the ratio of total times and, steadier when other
work shares the machine, the median of the per-round ratios (the target is checked on
both).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

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


def timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000, help="tasks to generate (default 2000)")
    parser.add_argument("--round", type=int, default=200, help="tasks per round (recentTask keeps 200)")
    args = parser.parse_args()
    with infra.postgres(), infra.simulator() as url:
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    setup_django()

    from pyVmomi import vim

    from orchestration.models import Tenant
    from vsphere.models import VCenter, VSphereTask
    from vsphere.services import connection
    from vsphere.services.event_sync import read_events, sync_events, window
    from vsphere.services.task_sync import read_recent, sync_tasks

    parts = urlsplit(url)
    tenant = Tenant.objects.create(name=f"bench-{time.time_ns()}")
    vcenter = VCenter.objects.create(name="bench", host=parts.hostname, port=parts.port, protocol=parts.scheme,
                                     user=parts.username or "user", password=parts.password or "pass",
                                     sync_enabled=False)
    vcenter.tenants.add(tenant)
    si = connection.service_instance(vcenter)
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    vms = [vm for vm in view.view if not vm.config.template]
    view.Destroy()

    sync_tasks(vcenter)  # labels cached and existing recent tasks stored: measure only new ones
    sync_events(vcenter)
    event_raw_seconds = event_sync_seconds = 0.0
    event_raw = event_ingested = 0
    event_ratios = []
    raw_seconds = sync_seconds = 0.0
    raw_tasks = ingested = 0
    ratios = []
    rounds = max(1, args.tasks // args.round)
    for number in range(rounds):
        made = 0
        while made < args.round:
            for vm in vms:
                if made >= args.round:
                    break
                if vm.runtime.powerState == "poweredOn":
                    vm.PowerOffVM_Task()
                else:
                    vm.PowerOnVM_Task()
                made += 1
        if number % 2:
            synced, result = timed(sync_tasks, vcenter)
            raw, infos = timed(read_recent, si)
        else:
            raw, infos = timed(read_recent, si)
            synced, result = timed(sync_tasks, vcenter)
        raw_seconds += raw
        sync_seconds += synced
        raw_tasks += len(infos)
        ingested += result.created + result.updated
        ratios.append(synced / raw * len(infos) / max(1, result.created + result.updated))
        next_window = window(vcenter)  # what sync_events is about to read
        if number % 2:
            synced, events = timed(sync_events, vcenter)
            raw, read = timed(read_events, si, *next_window)
        else:
            raw, read = timed(read_events, si, *next_window)
            synced, events = timed(sync_events, vcenter)
        event_raw_seconds += raw
        event_sync_seconds += synced
        event_raw += len(read)
        event_ingested += events.created
        event_ratios.append(synced / raw)

    idle, round_trips, raw_reads = [], [], []
    for _ in range(10):
        started = time.perf_counter()
        read_recent(si)
        raw_reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = sync_tasks(vcenter)
        idle.append(time.perf_counter() - started)
        assert result.created == result.updated == 0
        started = time.perf_counter()
        si.CurrentTime()
        round_trips.append(time.perf_counter() - started)

    raw_rate = raw_tasks / raw_seconds
    sync_rate = ingested / sync_seconds
    report = {
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
        "vms": len(vms),
        "rounds": rounds,
        "tasks_ingested": ingested,
        "tasks_stored": VSphereTask.objects.filter(vcenter=vcenter).count(),
        "raw_read_tasks_per_second": round(raw_rate),
        "sync_tasks_per_second": round(sync_rate),
        "sync_time_over_raw_time": round(sync_seconds / raw_seconds * raw_tasks / max(1, ingested), 2),
        "sync_time_over_raw_time_per_round_median": round(statistics.median(ratios), 2),
        "sync_time_over_raw_time_per_round_min_max": [round(min(ratios), 2), round(max(ratios), 2)],
        "incremental_nothing_new_ms_median": round(statistics.median(idle) * 1000, 1),
        "one_round_trip_ms_median": round(statistics.median(round_trips) * 1000, 1),
        "raw_recent_read_ms_median": round(statistics.median(raw_reads) * 1000, 1),
        "incremental_minus_raw_recent_read_ms": round((statistics.median(idle) - statistics.median(raw_reads)) * 1000,
                                                      1),
        "events_ingested": event_ingested,
        "raw_event_read_events_per_second": round(event_raw / event_raw_seconds) if event_raw_seconds else 0,
        "event_sync_events_per_second": round(event_ingested / event_sync_seconds) if event_sync_seconds else 0,
        "event_sync_time_over_raw_read_time_per_round_median": round(statistics.median(event_ratios), 2),
        "targets": {},
    }
    report["targets"]["sync_within_1.5x_raw"] = report["sync_time_over_raw_time"] <= 1.5
    report["targets"]["sync_within_1.5x_raw_per_round_median"] = (
        report["sync_time_over_raw_time_per_round_median"] <= 1.5)
    report["targets"]["event_sync_within_1.5x_raw_per_round_median"] = (
        report["event_sync_time_over_raw_read_time_per_round_median"] <= 1.5)
    # The round trip that matters is the one read of every recent TaskInfo.
    report["targets"]["incremental_under_100ms_plus_round_trip"] = report["incremental_minus_raw_recent_read_ms"] < 100
    print(json.dumps(report, indent=2))
    vcenter.delete()
    tenant.delete()
    connection.close_all()


if __name__ == "__main__":
    main()
