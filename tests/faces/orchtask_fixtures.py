"""Shared by the UCloud and Huawei face tests: a simulator vCenter of the faces' tenant, synced."""
from __future__ import annotations

import json

import pytest

from orchestration.models import Region
from tests.simulator import make_vcenter
from tests.vsphere.conftest import _fresh_sessions  # noqa: F401 (fixtures)
from vsphere.models import EntityType, InventoryObject
from vsphere.services.sync import sync_vcenter

REGION = "cn-sim"


@pytest.fixture
def synced(vcsim, tenant):  # noqa: F811 (the fixture)
    """The simulator as a vCenter of region cn-sim, allowed to the faces' tenant, inventory synced."""
    region = Region.objects.create(id=REGION, alias="Simulator")
    vcenter = make_vcenter(vcsim, [tenant], region=region)
    from vsphere.services.vcenters import check_connection

    assert check_connection(vcenter).ok
    sync_vcenter(vcenter, tasks=False)
    return vcenter


def moref(vcenter, name: str) -> str:
    return InventoryObject.objects.get(vcenter=vcenter, type=EntityType.VM, name=name).moref


def step(order: int, *ids: str, delay: int = 0) -> str:
    return json.dumps({"order": order, "delay": delay, "resourceIDs": ",".join(ids)})


def drop_snapshots(vcenter, *morefs: str) -> None:
    """The simulator outlives a test run: remove every snapshot of these VMs, and wait."""
    import time

    from pyVmomi import vim

    from vsphere.services import connection

    def work(si):
        tasks = [vim.VirtualMachine(m, si._stub).RemoveAllSnapshots_Task() for m in morefs]
        deadline = time.monotonic() + 30
        while any(t.info.state in ("queued", "running") for t in tasks) and time.monotonic() < deadline:
            time.sleep(0.1)

    connection.call(vcenter, work)
