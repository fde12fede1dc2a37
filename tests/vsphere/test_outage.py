"""A vCenter that stops answering and comes back: the sync says why while it is down and
recovers on its own; VM actions end (success after a retry, or a clear failure) and never
leave an execution Running.

The vCenter here is a private simulator process of this test, killed and started again
on the same port, so the shared simulator of the rest of the suite is untouched.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from orchestration.actions.registry import get_action
from orchestration.authorization import SYSTEM
from orchestration.engine.results import ActionContext, Done, Failed, Wait
from orchestration.engine.runner import advance
from orchestration.models import TaskExecution
from orchestration.services.executions import start_execution
from templates_app.services.templates import create_template
from tests.orchestration.engine.conftest import drive
from tests.simulator import make_vcenter
from vsphere.models import EntityType, InventoryObject, SyncStatus
from vsphere.services import vm_operations
from vsphere.services.sync import sync_vcenter

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
UUID = "5f2c8e0e-0000-4000-8000-00000000beef"
# The readable reasons of a vCenter that is gone (a pooled session's socket, or a new one).
UNREACHABLE = re.compile(r"cannot reach the vCenter|connection refused")


class Simulator:
    """A vcsim process that can crash (SIGKILL) and come back on the same port."""

    def __init__(self) -> None:
        build = subprocess.run(["bash", str(ROOT / "tests/infra/vcsim.sh"), "build"], check=True,
                               capture_output=True, text=True, timeout=600)
        self.binary = build.stdout.strip().splitlines()[-1]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "-listen", f"127.0.0.1:{self.port}", "-uuid", UUID],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout.readline().strip(), "the simulator printed no URL"
        urllib.request.urlopen(f"http://127.0.0.1:{self.port}/about", timeout=10).close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def address(self) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "user": "user", "password": "pass", "protocol": "http"}


@pytest.fixture
def simulator():
    sim = Simulator()
    sim.start()
    yield sim
    if sim.proc.poll() is None:
        sim.kill()


@pytest.fixture
def private_vcenter(simulator, tenant_a):
    vcenter = make_vcenter(simulator.address(), [tenant_a], name="private", vsphere_uuid=UUID)
    assert sync_vcenter(vcenter, tasks=False)["ok"]
    return vcenter


def vm(vcenter, name: str = "DC0_H0_VM0") -> InventoryObject:
    return InventoryObject.objects.get(vcenter=vcenter, type=EntityType.VM, name=name)


def test_sync_says_why_while_down_and_recovers_by_itself(simulator, private_vcenter):
    simulator.kill()
    down = sync_vcenter(private_vcenter)
    private_vcenter.refresh_from_db()
    assert not down["ok"]
    assert private_vcenter.last_sync_status == SyncStatus.ERROR
    assert UNREACHABLE.search(private_vcenter.last_error), private_vcenter.last_error

    simulator.start()  # a fresh vCenter process: the pooled session is unknown to it
    up = sync_vcenter(private_vcenter)
    private_vcenter.refresh_from_db()
    assert up["ok"], up
    assert private_vcenter.last_sync_status == SyncStatus.OK and private_vcenter.last_error == ""


def test_vm_action_succeeds_on_retry_after_the_vcenter_returns(simulator, private_vcenter, tenant_a, operator_a):
    target = vm(private_vcenter)
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="stop-with-retries", content=json.dumps({
        "FormatVersion": "OOS-2019-06-01",
        "Tasks": [{"Name": "stop", "Action": "ACS::VSphere::StopVM", "Retries": 2, "RetryInterval": "PT1S",
                   "Properties": {"VMIds": [target.moref]}}]}))
    simulator.kill()
    execution = start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    advance(execution.pk)  # the first try meets a vCenter that is down
    first = TaskExecution.objects.get(execution=execution, task_name="stop")
    assert first.tries == 1 and first.status == "Running"
    assert UNREACHABLE.search(json.dumps(first.extra["action"]["ops"]))

    simulator.start()
    execution = drive(execution, timeout=60)
    assert execution.status == "Success", execution.status_message
    assert TaskExecution.objects.get(execution=execution, task_name="stop").tries == 2


def poll_context(handle, now) -> ActionContext:
    ops = [{"VMId": handle.vm, "Name": "DC0_H0_VM0", "VCenterId": UUID, "Handle": handle.to_dict(),
            "TaskId": handle.task, "State": "running", "Progress": 0}]
    return ActionContext(execution=None, task_execution=None, properties={}, now=now, state={"ops": ops})


@override_settings(VSPHERE_UNREACHABLE_SECONDS=30)
def test_polling_a_silent_vcenter_fails_after_the_limit_not_never(simulator, private_vcenter):
    stop = get_action("ACS::VSphere::StopVM")()
    handle = vm_operations.submit_power_off(private_vcenter, vm(private_vcenter).moref)
    simulator.kill()

    now = timezone.now()
    ctx = poll_context(handle, now)
    assert isinstance(stop.poll(ctx), Wait)  # down for a moment: keep polling
    assert UNREACHABLE.search(ctx.state["ops"][0]["LastPollError"])
    ctx.now = now + dt.timedelta(seconds=31)
    outcome = stop.poll(ctx)
    assert isinstance(outcome, Failed) and outcome.retryable
    assert "did not answer for 30 s" in outcome.message

    # Back, but as a new process that never heard of the task: a clear failure at once.
    simulator.start()
    gone = stop.poll(poll_context(handle, timezone.now()))
    assert isinstance(gone, Failed) and "no longer exists" in gone.message


def test_a_poll_that_gets_through_forgets_the_silence(simulator, private_vcenter):
    stop = get_action("ACS::VSphere::StopVM")()
    handle = vm_operations.submit_power_off(private_vcenter, vm(private_vcenter).moref)
    ctx = poll_context(handle, timezone.now())
    ctx.state["ops"][0]["UnreachableSince"] = (timezone.now() - dt.timedelta(seconds=500)).isoformat()
    assert isinstance(stop.poll(ctx), Done)  # answered: the earlier silence does not count
