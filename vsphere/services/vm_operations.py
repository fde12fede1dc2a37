"""VM operations for the engine's vSphere actions: resolve targets, submit, poll, cancel.

Nothing here waits for vSphere: every ``submit_*`` starts the operation and returns an
:class:`OperationHandle` (the vSphere task's moref, or for ``ShutdownGuest`` /
``RebootGuest``, which return no task, a marker to watch ``runtime.powerState``). The
engine stores ``handle.to_dict()`` on its task execution and calls :func:`poll` on each
wake-up, and :func:`cancel` when the execution is cancelled. Faults come out as
:class:`~vsphere.services.faults.VSphereError` with one readable sentence.
"""
from __future__ import annotations

import fnmatch
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from django.db.models import QuerySet
from pyVmomi import vim, vmodl

from vsphere.models import EntityType, InventoryObject, VCenter

from . import connection
from .faults import VSphereError, describe_fault, localized_fault_message
from .task_info import to_json

State = Literal["running", "success", "error"]
GUEST_TIMEOUT_SECONDS = 600


@dataclass
class OperationHandle:
    """What to poll: a vSphere task, or (guest shutdown/reboot) the VM's power state."""

    vcenter_id: int
    vm: str
    operation: str
    task: str = ""  # task moref, e.g. "task-123"
    expect_power_state: str = ""  # for guest operations without a task
    started_at: float = field(default_factory=time.time)
    timeout_seconds: int = GUEST_TIMEOUT_SECONDS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OperationHandle:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class PollResult:
    state: State
    progress: int
    result: Any = None  # on success: e.g. {"vm": "vm-123"} for clone, {"snapshot": …}
    error: str = ""  # on error: one readable sentence

    def __iter__(self):  # (state, progress, result-or-error)
        return iter((self.state, self.progress, self.error if self.state == "error" else self.result))


# -- targets -------------------------------------------------------------------------


def resolve_targets(
    vcenters: QuerySet[VCenter] | Iterable[VCenter],
    *,
    vm_ids: Iterable[str] | None = None,
    names: Iterable[str] | None = None,
    name_pattern: str | None = None,
    folder: str | None = None,
    tag: dict[str, str] | None = None,
    include_templates: bool = False,
) -> list[InventoryObject]:
    """VMs of the synced inventory matching every given criterion (criteria combine with AND).

    ``vm_ids``: morefs (``vm-57``) or instance UUIDs; ``names``: exact names;
    ``name_pattern``: shell pattern (``web-*``); ``folder``: a folder moref or its path
    of names (``/DC0/vm/web``), VMs directly inside; ``tag``: ``{"Key": k, "Value": v}``
    matching a custom attribute k=v, or (without Value) a custom attribute or tag named k.
    Pass ``VCenter.objects.for_user(user, Scope.RUN)`` to keep the caller's scope.
    """
    if not any([vm_ids, names, name_pattern, folder, tag]):
        raise VSphereError("choose the VMs: give VM ids, names, a name pattern, a folder or a tag")
    vcenter_ids = [vc.pk for vc in vcenters]
    queryset = InventoryObject.objects.filter(vcenter_id__in=vcenter_ids, type=EntityType.VM)
    if not include_templates:
        queryset = queryset.filter(is_template=False)
    if vm_ids:
        ids = list(vm_ids)
        queryset = queryset.filter(moref__in=ids) | queryset.filter(instance_uuid__in=ids)
        _name_missing("VM ids", ids, queryset.values_list("moref", "instance_uuid"))
    if names:
        queryset = queryset.filter(name__in=list(names))
        _name_missing("VM names", list(names), queryset.values_list("name", flat=True))
    if folder:
        wanted = "/" + folder.strip("/") + "/"
        folders = InventoryObject.objects.filter(vcenter_id__in=vcenter_ids, type=EntityType.FOLDER)
        parents = list(folders.filter(moref=folder).values_list("moref", flat=True)) or list(
            folders.filter(name_path=wanted).values_list("moref", flat=True))
        if not parents:
            raise VSphereError(f"no folder {folder!r} in the inventory")
        queryset = queryset.filter(parent__in=parents)
    rows = list(queryset.order_by("vcenter_id", "name").distinct())
    if name_pattern:
        rows = [row for row in rows if fnmatch.fnmatchcase(row.name, name_pattern)]
    if tag:
        key, value = tag.get("Key", ""), tag.get("Value")
        if value in (None, ""):
            rows = [row for row in rows if key in row.custom_attributes or key in row.tags]
        else:
            rows = [row for row in rows if row.custom_attributes.get(key) == value]
    return rows


def _name_missing(what: str, asked: list[str], found_rows) -> None:
    """A VM asked for by id or name that the inventory lacks is named, never silently skipped
    (stopping two of three VMs without a word is worse than stopping none)."""
    found: set[str] = set()
    for row in found_rows:
        found.update(row if isinstance(row, tuple) else (row,))
    missing = [value for value in asked if value not in found]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise VSphereError(f"{what} not in the synced inventory of this tenant's vCenters: {shown} "
                           "(check the spelling, or sync the vCenter)")


# -- submitting ----------------------------------------------------------------------


def _vm(si: vim.ServiceInstance, moref: str) -> vim.VirtualMachine:
    return vim.VirtualMachine(moref, si._stub)


def _submit(vcenter: VCenter, vm_moref: str, operation: str, start) -> OperationHandle:
    """Run ``start(si, vm)`` (which returns a Task) and wrap its moref; faults become VSphereError."""

    def work(si):
        try:
            task = start(si, _vm(si, vm_moref))
        except (vmodl.MethodFault, vim.fault.VimFault) as exc:
            if isinstance(exc, vim.fault.NotAuthenticated):
                raise
            raise VSphereError(f"{operation} on {vm_moref}: {describe_fault(exc)}", fault=exc) from exc
        return task

    task = connection.call(vcenter, work)
    return OperationHandle(vcenter.pk, vm_moref, operation, task=task._moId if task is not None else "")


def submit_power_on(vcenter: VCenter, vm_moref: str) -> OperationHandle:
    return _submit(vcenter, vm_moref, "PowerOn", lambda si, vm: vm.PowerOnVM_Task())


def submit_power_off(vcenter: VCenter, vm_moref: str) -> OperationHandle:
    return _submit(vcenter, vm_moref, "PowerOff", lambda si, vm: vm.PowerOffVM_Task())


def submit_reset(vcenter: VCenter, vm_moref: str) -> OperationHandle:
    return _submit(vcenter, vm_moref, "Reset", lambda si, vm: vm.ResetVM_Task())


def submit_suspend(vcenter: VCenter, vm_moref: str) -> OperationHandle:
    return _submit(vcenter, vm_moref, "Suspend", lambda si, vm: vm.SuspendVM_Task())


def submit_destroy(vcenter: VCenter, vm_moref: str) -> OperationHandle:
    return _submit(vcenter, vm_moref, "Destroy", lambda si, vm: vm.Destroy_Task())


def _guest(vcenter: VCenter, vm_moref: str, operation: str, expect: str, timeout: int) -> OperationHandle:
    """ShutdownGuest/RebootGuest return nothing: start them and watch the power state instead."""

    def start(si, vm):
        if operation == "ShutdownGuest":
            vm.ShutdownGuest()
        else:
            vm.RebootGuest()

    handle = _submit(vcenter, vm_moref, operation, start)
    handle.expect_power_state, handle.timeout_seconds = expect, timeout
    return handle


def submit_shutdown_guest(vcenter: VCenter, vm_moref: str, *, timeout: int = GUEST_TIMEOUT_SECONDS) -> OperationHandle:
    """Ask the guest OS to shut down; done when the VM is poweredOff (error after ``timeout`` s)."""
    return _guest(vcenter, vm_moref, "ShutdownGuest", "poweredOff", timeout)


def submit_reboot_guest(vcenter: VCenter, vm_moref: str, *, timeout: int = GUEST_TIMEOUT_SECONDS) -> OperationHandle:
    """Ask the guest OS to reboot; done as soon as the VM is (still or again) poweredOn.

    vSphere reports no reboot progress, so this confirms the request was accepted and
    the VM did not end up powered off.
    """
    return _guest(vcenter, vm_moref, "RebootGuest", "poweredOn", timeout)


def submit_create_snapshot(vcenter: VCenter, vm_moref: str, name: str, *, description: str = "",
                           memory: bool = False, quiesce: bool = False) -> OperationHandle:
    return _submit(vcenter, vm_moref, "CreateSnapshot",
                   lambda si, vm: vm.CreateSnapshot_Task(name=name, description=description, memory=memory,
                                                         quiesce=quiesce))


def _snapshot_info(si: vim.ServiceInstance, vm: vim.VirtualMachine):
    """``vm.snapshot`` through the PropertyCollector: unset properties are simply absent
    (a plain attribute read of an unset property crashes govmomi's simulator)."""
    PC = vmodl.query.PropertyCollector  # noqa: N806
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["snapshot"])])
    result = connection.content(si).propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
    for item in result.objects if result else []:
        for prop in item.propSet:
            return prop.val
    return None


def _find_snapshot(si: vim.ServiceInstance, vm: vim.VirtualMachine, name: str) -> vim.vm.Snapshot:
    found = []

    def walk(trees):
        for tree in trees or []:
            if tree.name == name:
                found.append(tree.snapshot)
            walk(tree.childSnapshotList)

    info = _snapshot_info(si, vm)
    walk(info.rootSnapshotList if info else [])
    if not found:
        raise VSphereError(f"the VM has no snapshot named {name!r}")
    if len(found) > 1:
        raise VSphereError(f"the VM has {len(found)} snapshots named {name!r}; names must be unique to choose one")
    return found[0]


def submit_revert_snapshot(vcenter: VCenter, vm_moref: str, name: str | None = None) -> OperationHandle:
    """Revert to the named snapshot, or to the current one when ``name`` is None."""

    def start(si, vm):
        if not name:
            if _snapshot_info(si, vm) is None:
                raise VSphereError("the VM has no snapshot to revert to")
            return vm.RevertToCurrentSnapshot_Task()
        return _find_snapshot(si, vm, name).RevertToSnapshot_Task()

    return _submit(vcenter, vm_moref, "RevertSnapshot", start)


def submit_remove_snapshot(vcenter: VCenter, vm_moref: str, name: str, *, remove_children: bool = False,
                           consolidate: bool = True) -> OperationHandle:
    return _submit(vcenter, vm_moref, "RemoveSnapshot",
                   lambda si, vm: _find_snapshot(si, vm, name).RemoveSnapshot_Task(removeChildren=remove_children,
                                                                              consolidate=consolidate))


def submit_reconfigure(vcenter: VCenter, vm_moref: str, *, num_cpus: int | None = None,
                       memory_mb: int | None = None) -> OperationHandle:
    """Change CPU count and/or memory (MB)."""
    if num_cpus is None and memory_mb is None:
        raise VSphereError("reconfigure needs a CPU count or a memory size")
    if num_cpus is not None and num_cpus < 1:
        raise VSphereError("the CPU count must be at least 1")
    if memory_mb is not None and (memory_mb < 4 or memory_mb % 4):
        raise VSphereError("memory must be a positive multiple of 4 MB")
    spec = vim.vm.ConfigSpec(numCPUs=num_cpus, memoryMB=memory_mb)
    return _submit(vcenter, vm_moref, "Reconfigure", lambda si, vm: vm.ReconfigVM_Task(spec=spec))


def submit_clone(vcenter: VCenter, vm_moref: str, name: str, *, folder: str | None = None,
                 power_on: bool = False) -> OperationHandle:
    """Clone into ``folder`` (a folder moref; default: the source's folder). Success result: ``{"vm": moref}``."""
    if not name or len(name) > 80:
        raise VSphereError("the clone needs a name of 1–80 characters")

    def start(si, vm):
        target = vim.Folder(folder, si._stub) if folder else vm.parent
        spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=power_on, template=False)
        return vm.CloneVM_Task(folder=target, name=name, spec=spec)

    return _submit(vcenter, vm_moref, "Clone", start)


# -- polling and cancelling ----------------------------------------------------------


def _result_json(value) -> Any:
    if isinstance(value, vim.VirtualMachine):
        return {"vm": value._moId}
    if isinstance(value, vim.vm.Snapshot):
        return {"snapshot": value._moId}
    return to_json(value)


def result_of(info) -> PollResult:
    """Map a TaskInfo to the engine's three states."""
    state = str(info.state)
    if state in ("queued", "running"):
        return PollResult("running", info.progress or 0)
    if state == "success":
        return PollResult("success", 100, _result_json(info.result))
    return PollResult("error", info.progress or 0, error=localized_fault_message(info.error) or "the task failed")


def _task_result(si: vim.ServiceInstance, moref: str) -> PollResult:
    task = vim.Task(moref, si._stub)
    try:
        return result_of(task.info)
    except (TypeError, ValueError):
        # A TaskInfo pyVmomi cannot type (e.g. a snapshot as entity, as the simulator
        # reports): read just the fields that decide the outcome.
        PC = vmodl.query.PropertyCollector  # noqa: N806
        paths = ["info.state", "info.progress", "info.error", "info.result"]
        spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=task)], propSet=[PC.PropertySpec(type=vim.Task,
                                                                                           pathSet=paths)])
        result = connection.content(si).propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
        props = {prop.name: prop.val for item in result.objects for prop in item.propSet}
        info = vim.TaskInfo(key=moref, task=task, descriptionId="", state=props.get("info.state", "running"),
                            progress=props.get("info.progress"), error=props.get("info.error"),
                            result=props.get("info.result"), cancelled=False, cancelable=False)
        return result_of(info)


def _vcenter(handle: OperationHandle) -> VCenter:
    vcenter = VCenter.objects.filter(pk=handle.vcenter_id).first()
    if vcenter is None:
        raise VSphereError(f"vCenter {handle.vcenter_id} no longer exists")
    return vcenter


def poll(handle: OperationHandle | dict) -> PollResult:
    """One cheap look at the operation: ``(state, progress, result-or-error)``. Never waits.

    Connection problems are raised (``VSphereError``) rather than reported as a task
    error, so the engine can retry on its next wake-up.
    """
    handle = OperationHandle.from_dict(handle) if isinstance(handle, dict) else handle
    vcenter = _vcenter(handle)
    if handle.task:
        def work(si):
            try:
                return _task_result(si, handle.task)
            except vmodl.fault.ManagedObjectNotFound:
                return PollResult("error", 0, error=f"the vSphere task {handle.task} no longer exists")

        return connection.call(vcenter, work)

    def power_state(si):
        try:
            return str(_vm(si, handle.vm).runtime.powerState)
        except vmodl.fault.ManagedObjectNotFound:
            return "gone"

    current = connection.call(vcenter, power_state)
    if current == handle.expect_power_state:
        return PollResult("success", 100, {"power_state": current})
    if current == "gone":
        return PollResult("error", 0, error=f"the VM {handle.vm} no longer exists")
    if time.time() - handle.started_at > handle.timeout_seconds:
        return PollResult("error", 0, error=f"{handle.operation}: the VM is still {current} after "
                                            f"{handle.timeout_seconds} s (is VMware Tools running in the guest?)")
    elapsed = (time.time() - handle.started_at) / max(1, handle.timeout_seconds)
    return PollResult("running", min(99, int(elapsed * 100)))


def cancel(handle: OperationHandle | dict) -> tuple[bool, str]:
    """Cancel the vSphere task if it still runs and is cancelable: ``(cancelled, why not)``."""
    handle = OperationHandle.from_dict(handle) if isinstance(handle, dict) else handle
    if not handle.task:
        return False, f"{handle.operation} has no vSphere task to cancel"
    vcenter = _vcenter(handle)

    def work(si):
        task = vim.Task(handle.task, si._stub)
        try:
            current = _task_result(si, handle.task)
            if current.state != "running":
                return False, f"the task already finished ({current.state})"
            if not task.info.cancelable:
                return False, "vSphere does not allow cancelling this task"
            task.CancelTask()
            return True, ""
        except vmodl.fault.ManagedObjectNotFound:
            return False, "the task no longer exists"
        except (vim.fault.InvalidState, vmodl.fault.NotSupported) as exc:
            return False, describe_fault(exc)

    return connection.call(vcenter, work)
