"""VM operations against the simulator: submit → handle → poll, faults, cancel, targets, task list."""
from __future__ import annotations

import time

import pytest
from pyVmomi import vim

from vsphere.models import InventoryObject, VCenter, VSphereTask
from vsphere.services import vm_operations as ops
from vsphere.services.faults import VSphereError
from vsphere.services.inventory_sync import sync_inventory
from vsphere.services.task_sync import sync_tasks

from .helpers import find_vm

pytestmark = pytest.mark.django_db


def finish(handle, attempts: int = 50):
    for _ in range(attempts):
        result = ops.poll(handle.to_dict())  # what the engine stored
        if result.state != "running":
            return result
        time.sleep(0.1)
    raise AssertionError("still running")


@pytest.fixture
def clone(vcenter):
    """A private VM for destructive tests, cloned from DC0_H0_VM0 and removed afterwards."""
    source = find_vm(vcenter, "DC0_H0_VM0")
    name = f"ops-{time.monotonic_ns()}"
    handle = ops.submit_clone(vcenter, source._moId, name)
    result = finish(handle)
    assert result.state == "success", result.error
    moref = result.result["vm"]
    yield moref
    vm = vim.VirtualMachine(moref, source._stub)
    try:
        if vm.runtime.powerState != "poweredOff":
            vm.PowerOffVM_Task()
        vm.Destroy_Task()
    except Exception:
        pass


def test_power_cycle_and_task_appears_in_list(vcenter, clone):
    handle = ops.submit_power_on(vcenter, clone)
    assert handle.task.startswith("task-")
    state, progress, result = finish(handle)
    assert state == "success" and progress == 100
    again = finish(ops.submit_power_on(vcenter, clone))
    assert again.state == "error" and again.error == "the VM is already powered on"
    assert finish(ops.submit_suspend(vcenter, clone)).state == "success"
    assert finish(ops.submit_power_on(vcenter, clone)).state == "success"
    assert finish(ops.submit_reset(vcenter, clone)).state == "success"
    off = ops.submit_power_off(vcenter, clone)
    assert finish(off).state == "success"
    sync_tasks(vcenter)
    row = VSphereTask.objects.get(vcenter=vcenter, key=off.task)
    assert row.entity == f"VirtualMachine:{clone}" and row.status == "success"
    assert VSphereTask.objects.get(vcenter=vcenter, key=handle.task).status == "success"


def test_guest_shutdown_and_reboot_poll_power_state(vcenter, clone):
    finish(ops.submit_power_on(vcenter, clone))
    try:
        reboot = ops.submit_reboot_guest(vcenter, clone)
    except VSphereError as exc:  # govmomi 0.24.2 has no RebootGuest: the fault must read clearly
        assert str(exc) == f"RebootGuest on {clone}: the vCenter does not implement RebootGuest"
    else:
        assert reboot.task == "" and reboot.expect_power_state == "poweredOn"
        assert finish(reboot).state == "success"
    handle = ops.submit_shutdown_guest(vcenter, clone)
    assert handle.task == "" and handle.expect_power_state == "poweredOff"
    result = finish(handle)
    assert result.state == "success" and result.result == {"power_state": "poweredOff"}
    with pytest.raises(VSphereError, match="ShutdownGuest.*the VM is powered off; the operation needs it powered on"):
        ops.submit_shutdown_guest(vcenter, clone)
    # A guest that never gets there times out with a clear reason.
    stuck = ops.OperationHandle(vcenter.pk, clone, "ShutdownGuest", expect_power_state="poweredOn",
                                started_at=time.time() - 10, timeout_seconds=5)
    assert "still poweredOff" in ops.poll(stuck).error
    pending = ops.OperationHandle(vcenter.pk, clone, "ShutdownGuest", expect_power_state="poweredOn")
    assert ops.poll(pending).state == "running"
    assert ops.cancel(pending) == (False, "ShutdownGuest has no vSphere task to cancel")


def test_snapshots(vcenter, clone):
    with pytest.raises(VSphereError, match="no snapshot to revert"):
        ops.submit_revert_snapshot(vcenter, clone)
    created = finish(ops.submit_create_snapshot(vcenter, clone, "before", description="d"))
    assert created.state == "success" and created.result["snapshot"].startswith("snapshot-")
    assert finish(ops.submit_create_snapshot(vcenter, clone, "after")).state == "success"
    assert finish(ops.submit_revert_snapshot(vcenter, clone, "before")).state == "success"
    assert finish(ops.submit_revert_snapshot(vcenter, clone)).state == "success"
    with pytest.raises(VSphereError, match="no snapshot named 'nope'"):
        ops.submit_remove_snapshot(vcenter, clone, "nope")
    assert finish(ops.submit_remove_snapshot(vcenter, clone, "before", remove_children=True)).state == "success"


def test_reconfigure_clone_and_destroy(vcenter, clone):
    assert finish(ops.submit_reconfigure(vcenter, clone, num_cpus=2, memory_mb=256)).state == "success"
    sync_inventory(vcenter)
    row = InventoryObject.objects.get(vcenter=vcenter, moref=clone)
    assert (row.num_cpu, row.memory_mb) == (2, 256)
    with pytest.raises(VSphereError, match="multiple of 4"):
        ops.submit_reconfigure(vcenter, clone, memory_mb=3)
    with pytest.raises(VSphereError, match="CPU count or a memory"):
        ops.submit_reconfigure(vcenter, clone)
    finish(ops.submit_power_on(vcenter, clone))
    refused = finish(ops.submit_destroy(vcenter, clone))
    assert refused.state == "error" and refused.error == "the VM is powered on; the operation needs it powered off"
    finish(ops.submit_power_off(vcenter, clone))
    assert finish(ops.submit_destroy(vcenter, clone)).state == "success"
    with pytest.raises(VSphereError, match="no longer exists"):
        ops.submit_power_on(vcenter, clone)


def test_cancel_finished_task_and_running_mapping(vcenter, clone):
    handle = ops.submit_power_on(vcenter, clone)
    finish(handle)
    cancelled, reason = ops.cancel(handle)
    assert not cancelled and "already finished" in reason
    # The simulator finishes tasks before answering; the running mapping is checked on a TaskInfo.
    info = vim.TaskInfo(key="t", task=vim.Task("t"), descriptionId="x", state="running", progress=40,
                        cancelled=False, cancelable=True)
    assert tuple(ops.result_of(info)) == ("running", 40, None)
    gone = ops.OperationHandle(vcenter.pk, clone, "PowerOn", task="task-999999")
    assert "no longer exists" in ops.poll(gone).error


def test_resolve_targets(vcenter, tenant_a):
    sync_inventory(vcenter)
    InventoryObject.objects.filter(vcenter=vcenter, name="DC0_H0_VM1").update(custom_attributes={"env": "prod"})
    scope = VCenter.objects.filter(pk=vcenter.pk)
    names = lambda rows: sorted(row.name for row in rows)  # noqa: E731
    vm0 = InventoryObject.objects.get(vcenter=vcenter, name="DC0_H0_VM0")
    assert names(ops.resolve_targets(scope, vm_ids=[vm0.moref])) == ["DC0_H0_VM0"]
    assert names(ops.resolve_targets(scope, vm_ids=[vm0.instance_uuid])) == ["DC0_H0_VM0"]
    with pytest.raises(VSphereError, match="VM names not in the synced inventory .*: missing"):
        ops.resolve_targets(scope, names=["DC0_H0_VM1", "missing"])
    assert names(ops.resolve_targets(scope, name_pattern="DC0_H0_*")) == ["DC0_H0_VM0", "DC0_H0_VM1"]
    in_folder = names(ops.resolve_targets(scope, folder="/DC0/vm"))
    assert {"DC0_H0_VM0", "DC0_C0_RP0_VM0"} <= set(in_folder)
    assert names(ops.resolve_targets(scope, folder=vm0.parent)) == in_folder
    assert names(ops.resolve_targets(scope, tag={"Key": "env", "Value": "prod"})) == ["DC0_H0_VM1"]
    assert names(ops.resolve_targets(scope, tag={"Key": "env"}, name_pattern="*VM0")) == []
    with pytest.raises(VSphereError, match="no folder"):
        ops.resolve_targets(scope, folder="/nope")
    with pytest.raises(VSphereError, match="choose the VMs"):
        ops.resolve_targets(scope)
    with pytest.raises(VSphereError, match="not in the synced inventory of this tenant's vCenters: DC0_H0_VM0"):
        ops.resolve_targets(VCenter.objects.none(), names=["DC0_H0_VM0"])  # another tenant's VM is not named

