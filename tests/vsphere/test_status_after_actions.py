"""What an operator reads after a VM action: the inventory's power state is current at
once (no wait for the next inventory sync), power-state faults read as sentences, and a
VM asked for by id or name that does not exist is named."""
from __future__ import annotations

import pytest

from orchestration.models import TaskExecution
from tests.vsphere.test_engine_actions import ensure_powered_on, run, vm_named
from vsphere.services.sync import sync_vcenter

pytestmark = pytest.mark.django_db


def test_the_inventory_shows_the_new_power_state_when_the_task_ends(vcenter, tenant_a, operator_a):
    sync_vcenter(vcenter, tasks=False)
    ensure_powered_on(vcenter, "DC0_H0_VM1")
    vm = vm_named(vcenter, "DC0_H0_VM1")
    assert vm.power_state == "poweredOn"
    stopped = run(tenant_a, operator_a, "stop-one", [
        {"Name": "stop", "Action": "ACS::VSphere::StopVM", "Properties": {"VMIds": [vm.moref]}}])
    assert stopped.status == "Success", stopped.status_message
    vm.refresh_from_db()  # no sync in between
    assert vm.power_state == "poweredOff"
    started = run(tenant_a, operator_a, "start-one", [
        {"Name": "start", "Action": "ACS::VSphere::StartVM", "Properties": {"VMIds": [vm.moref]}}])
    assert started.status == "Success", started.status_message
    vm.refresh_from_db()
    assert vm.power_state == "poweredOn"


def test_starting_a_running_vm_says_it_is_already_on(vcenter, tenant_a, operator_a):
    sync_vcenter(vcenter, tasks=False)
    ensure_powered_on(vcenter, "DC0_H0_VM0")
    execution = run(tenant_a, operator_a, "start-again", [
        {"Name": "start", "Action": "ACS::VSphere::StartVM", "Properties": {"VMNames": ["DC0_H0_VM0"]}}])
    assert execution.status == "Failed"
    message = TaskExecution.objects.get(execution=execution).status_message
    assert "the VM is already powered on" in message, message
    assert "needs poweredOn" not in message


def test_a_missing_vm_is_named(vcenter, tenant_a, operator_a):
    sync_vcenter(vcenter, tasks=False)
    ensure_powered_on(vcenter, "DC0_H0_VM0")
    real = vm_named(vcenter, "DC0_H0_VM0").moref
    execution = run(tenant_a, operator_a, "stop-missing", [
        {"Name": "stop", "Action": "ACS::VSphere::StopVM", "Properties": {"VMIds": [real, "vm-99999"]}}])
    assert execution.status == "Failed"
    message = TaskExecution.objects.get(execution=execution).status_message
    assert "vm-99999" in message and real not in message, message
    assert vm_named(vcenter, "DC0_H0_VM0").power_state == "poweredOn"  # nothing half-done
    by_name = run(tenant_a, operator_a, "stop-missing-name", [
        {"Name": "stop", "Action": "ACS::VSphere::StopVM", "Properties": {"VMNames": ["no-such-vm"]}}])
    assert "no-such-vm" in TaskExecution.objects.get(execution=by_name).status_message
