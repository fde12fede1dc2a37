"""The hand-written TaskInfo → seed JSON converter gives exactly what the generic pyVmomi walk gives."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pyVmomi import vim, vmodl

from vsphere.services import task_info
from vsphere.services.task_info import seed_json, seed_json_generic
from vsphere.services.task_sync import read_recent

from .helpers import find_vm, power_cycle, si_of


def same(info) -> None:
    fast, generic = seed_json(info), seed_json_generic(info)
    assert fast == generic
    # Byte for byte as stored (key order included, which SQLite's JSON text keeps).
    assert json.dumps(fast) == json.dumps(generic)


@pytest.mark.django_db
def test_simulator_tasks_convert_identically(vcenter):
    vm = find_vm(vcenter, "DC0_H0_VM0")
    power_cycle(vm, 2)
    if vm.runtime.powerState != "poweredOn":
        vm.PowerOnVM_Task()
    vm.PowerOnVM_Task()  # already on: a failed task with an error
    vm.CreateSnapshot_Task(name="s1", memory=False, quiesce=False)  # a task with a Result
    infos = read_recent(si_of(vcenter))
    assert len(infos) >= 5
    assert any(info.error is not None for info in infos)
    assert any(info.result is not None for info in infos)
    for info in infos:
        same(info)


def test_every_field_converts_identically():
    now = datetime.now(UTC)
    full = vim.TaskInfo(
        key="task-7", task=vim.Task("task-7"), descriptionId="VirtualMachine.clone",
        description=vmodl.LocalizableMessage(key="k", message="Cloning",
                                             arg=[vmodl.KeyAnyValue(key="a", value="b")]),
        entity=vim.VirtualMachine("vm-1"), entityName="web", state="error",
        locked=[vim.VirtualMachine("vm-1"), vim.Datastore("datastore-2")], cancelled=True, cancelable=False,
        error=vim.fault.InvalidPowerState(msg="bad state", existingState="poweredOff"),
        result=vim.VirtualMachine("vm-2"), progress=40,
        progressDetails=[vmodl.KeyAnyValue(key="phase", value="copy")],
        reason=vim.TaskReasonSchedule(name="nightly", scheduledTask=vim.scheduler.ScheduledTask("st-1")),
        queueTime=now - timedelta(seconds=5), startTime=now - timedelta(seconds=4), completeTime=now,
        eventChainId=99, changeTag="t", parentTaskKey="task-1", rootTaskKey="task-0", activationId="act",
    )
    same(full)
    same(vim.TaskInfo(key="task-8", descriptionId="x", state="queued", cancelled=False, cancelable=True,
                      eventChainId=1, queueTime=now, reason=vim.TaskReasonUser()))
    same(vim.TaskInfo(key="task-9", state="success", result="text", locked=[], progressDetails=[],
                      reason=vim.TaskReasonSystem(), description=vmodl.LocalizableMessage()))
    same(vim.TaskInfo(key="task-10", state="success", result=[], reason=vim.TaskReasonUser(userName="")))


def test_iso_times_as_before():
    for value in (datetime(2021, 8, 30, 11, 41, 27, 796230, tzinfo=UTC), datetime(2021, 8, 30, 11, 41, tzinfo=UTC),
                  datetime(2021, 8, 30, 19, 41, 27, 5, tzinfo=timezone(timedelta(hours=8)))):
        assert task_info.iso(value) == value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert task_info.iso(None) is None


def test_unknown_properties_fall_back_to_the_generic_walk(monkeypatch):
    monkeypatch.setattr(task_info, "_FAST", frozenset())
    info = vim.TaskInfo(key="task-1", state="success", reason=vim.TaskReasonUser(userName="u"))
    assert seed_json(info) == seed_json_generic(info)
