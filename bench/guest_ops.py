"""Benchmark: the engine's overhead per guest command next to the raw guest-operation round trips.

    .venv/bin/python bench/guest_ops.py [--commands 20] [--vms 20] [--concurrency 5]

Uses ``DATABASE_URL`` when set, else a throwaway PostgreSQL; always starts a simulator of
its own with the VMware Tools double (tests/infra/vcsim/guest.go), so commands run with
/bin/sh on this machine and a guest round trip costs what the simulator's SOAP endpoint
costs. In one run it measures:

- **raw**: the sequence RunCommand performs for one command (validate the login, create
  the script file, upload it, start it, ``ListProcessesInGuest`` until it ended, download
  stdout and stderr, delete three files), called directly through
  ``vsphere.services.guest_operations``, with the process polled back to back;
- **engine, one command**: an execution with one RunCommand task on one VM, carried by
  real workers (``qcluster`` + ``runengine``), from its start to its end;
- **engine, a loop**: one execution running the command on ``--vms`` VMs at
  ``--concurrency``, commands per second against the raw sequence's rate;
- **engine, one task on all VMs**: the same VMs selected by one RunCommand task (no
  Loop), which starts every VM's command in one call and polls them all in the next.

The command is ``true``: it ends at once, so what is measured is the plumbing.
Prints one JSON object.
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
from bench.engine import fixtures, setup_django, start_processes, stop_processes  # noqa: E402

LOGIN = {"User": "root", "Password": "bench-guest"}


def raw_command(vcenter, moref: str, login) -> dict[str, float]:
    """One command the way RunCommand does it, each round trip timed."""
    from vsphere.services import guest_operations as guest

    times: dict[str, float] = {}

    def timed(name, function, *args, **kwargs):
        started = time.perf_counter()
        value = function(*args, **kwargs)
        times[name] = times.get(name, 0.0) + time.perf_counter() - started
        return value

    timed("validate", guest.validate_login, vcenter, moref, login)
    script = timed("create_temp", guest.create_temp_file, vcenter, moref, login, "oos-", ".sh")
    timed("upload", guest.upload, vcenter, moref, login, script, b"true\n", permissions=0o700)
    pid = timed("start", guest.start_program, vcenter, moref, login, "/bin/sh",
                f"{script} > {script}.out 2> {script}.err")
    polls = 0
    while timed("list_processes", guest.process_state, vcenter, moref, login, pid).exit_code is None:
        polls += 1
    for suffix in (".out", ".err"):
        timed("download", guest.download, vcenter, moref, login, script + suffix, limit=24 * 1024)
    for path in (script, script + ".out", script + ".err"):
        timed("delete", guest.delete_file, vcenter, moref, login, path)
    times["total"] = sum(times.values())
    times["polls"] = polls
    return times


def wait_finished(execution_id: str, timeout: float = 300):
    from orchestration.models import Execution

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = Execution.objects.get(pk=execution_id)
        if execution.is_finished:
            return execution
        time.sleep(0.02)
    raise TimeoutError(execution_id)


def engine_run(tenant, user, template, **parameters) -> tuple[float, object]:
    from orchestration.services.executions import start_execution

    started = time.perf_counter()
    execution = start_execution(tenant=tenant, user=user, template=template, safety_check="Skip",
                                parameters={"Credential": json.dumps(LOGIN), **parameters})
    execution = wait_finished(execution.pk)
    return time.perf_counter() - started, execution


def make_template(tenant, name: str, loop: dict | None):
    from orchestration.authorization import SYSTEM
    from templates_app.services.templates import create_template

    task = {"Name": "run", "Action": "ACS::VSphere::RunCommand",
            "Properties": {"VMIds": ["{{ ACS::TaskLoopItem }}"] if loop else "{{ VMIds }}",
                           "CommandContent": "true\n", "GuestCredential": "{{ Credential }}"}}
    if loop:
        task["Loop"] = loop
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": [task],
            "Parameters": {"Credential": {"Type": "String"}, "VMIds": {"Type": "List"}}}
    return create_template(tenant=tenant, actor=SYSTEM, name=name, content=json.dumps(body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=20, help="single commands, raw and through the engine")
    parser.add_argument("--vms", type=int, default=20, help="VMs in the loop run")
    parser.add_argument("--concurrency", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("VCSIM_URL", None)  # always a simulator of its own: a known guest login and VM count
    sim = infra.service("vcsim.sh", "VCSIM_URL", "/tmp/bench-guest-vcsim", "-vm", str((args.vms + 1) // 2),
                        "-guest-login", f"{LOGIN['User']}:{LOGIN['Password']}")
    with infra.postgres(), sim as url:
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    setup_django()
    from orchestration.models import TaskExecution
    from vsphere.models import EntityType, InventoryObject, VCenter
    from vsphere.services import guest_operations as guest
    from vsphere.services.sync import sync_vcenter

    tenant, user = fixtures()
    parts = urlsplit(url)
    vcenter = VCenter.objects.create(name=f"bench-guest-{time.time_ns()}", host=parts.hostname, port=parts.port,
                                     protocol=parts.scheme, user=parts.username, password=parts.password,
                                     sync_enabled=False)
    vcenter.tenants.add(tenant)
    sync_vcenter(vcenter, tasks=False)
    vms = list(InventoryObject.objects.filter(vcenter=vcenter, type=EntityType.VM, is_template=False)
               .order_by("name").values_list("moref", flat=True))[:args.vms]
    login = guest.parse_login(LOGIN)

    raw_command(vcenter, vms[0], login)  # warm-up: session, connection pool
    raws = [raw_command(vcenter, vms[0], login) for _ in range(args.commands)]
    steps = {key: statistics.median(r[key] for r in raws) * 1000 for key in raws[0] if key != "polls"}

    single = make_template(tenant, f"bench-guest-one-{time.time_ns()}", None)
    looped = make_template(tenant, f"bench-guest-loop-{time.time_ns()}",
                           {"Items": "{{ VMIds }}", "Concurrency": args.concurrency, "MaxErrors": 0})
    fanned = make_template(tenant, f"bench-guest-fan-{time.time_ns()}", None)
    procs = start_processes()
    try:
        engine_run(tenant, user, single, VMIds=[vms[0]])  # warm-up
        ones, task_seconds = [], []
        for _ in range(args.commands):
            seconds, execution = engine_run(tenant, user, single, VMIds=[vms[0]])
            assert execution.status == "Success", execution.status_message
            ones.append(seconds)
            te = TaskExecution.objects.get(execution=execution, task_name="run")
            task_seconds.append((te.end_date - te.start_date).total_seconds())
        loop_seconds, execution = engine_run(tenant, user, looped, VMIds=vms)
        assert execution.status == "Success", execution.status_message
        items = list(TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=False))
        item_seconds = [(te.end_date - te.start_date).total_seconds() for te in items]
        item_polls = [te.extra["action"]["polls"] for te in items]
        fan_seconds, execution = engine_run(tenant, user, fanned, VMIds=vms)
        assert execution.status == "Success", execution.status_message
    finally:
        stop_processes(procs)

    raw_total = statistics.median(r["total"] for r in raws)
    one = statistics.median(ones)
    print(json.dumps({
        "commands": args.commands,
        "raw_round_trips_ms_median": {k: round(v, 2) for k, v in steps.items()},
        "raw_command_ms_median": round(raw_total * 1000, 1),
        "engine_command_ms_median": round(one * 1000, 1),
        "engine_task_ms_median": round(statistics.median(task_seconds) * 1000, 1),
        "engine_overhead_ms_per_command": round((one - raw_total) * 1000, 1),
        "engine_over_raw_ratio": round(one / raw_total, 2),
        "loop": {"vms": len(vms), "concurrency": args.concurrency, "seconds": round(loop_seconds, 2),
                 "commands_per_s": round(len(vms) / loop_seconds, 2),
                 "item_ms_median": round(statistics.median(item_seconds) * 1000, 1),
                 "item_polls_median": statistics.median(item_polls),
                 "raw_sequential_commands_per_s": round(1 / raw_total, 2),
                 "ratio_to_raw_sequential": round(len(vms) / loop_seconds * raw_total, 2)},
        "one_task_all_vms": {"vms": len(vms), "seconds": round(fan_seconds, 2),
                             "commands_per_s": round(len(vms) / fan_seconds, 2),
                             "ratio_to_raw_sequential": round(len(vms) / fan_seconds * raw_total, 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
