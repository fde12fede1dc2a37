"""vSphere VM actions (``Product.VSphere``).

Naming: ``ACS::VSphere::<Verb>VM[<Object>]`` — the verb first, as in vSphere's own API
(``PowerOffVM_Task``, ``CreateSnapshot_Task``), so the catalog sorts by what it does.
Every action selects its VMs the same way (``VMIds``, ``VMNames``, ``NamePattern``,
``Folder``, ``Tag``, optionally scoped by ``VCenterId``/``RegionId``); the engine
resolves the selection against the synced inventory. Each needs ``vsphere:DescribeVMs``
to resolve the selection plus its own operation permission.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.conf import settings

from orchestration.actions.base import Action
from orchestration.actions.registry import register
from orchestration.engine import results
from vsphere.models import VCenter
from vsphere.read_operations import select_vms, vm_summary
from vsphere.services import vm_operations
from vsphere.services.faults import VSphereError

TARGET_PROPERTIES: dict[str, Any] = {
    "VMIds": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1000,
              "description": "Managed object ids (vm-123) or instance UUIDs of the VMs."},
    "VMNames": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1000,
                "description": "Exact VM names."},
    "NamePattern": {"type": "string", "minLength": 1, "description": "Shell-style pattern on VM names, e.g. web-*."},
    "Folder": {"type": "string", "minLength": 1, "description": "Inventory folder path; VMs directly inside it."},
    "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}},
            "required": ["Key"], "additionalProperties": False,
            "description": "A vSphere tag (category Key, tag Value)."},
    "VCenterId": {"type": "string", "description": "Restrict to one vCenter (its uuid)."},
    "RegionId": {"type": "string", "description": "Restrict to the vCenters of one region."},
}
TARGET_KEYS = ("VMIds", "VMNames", "NamePattern", "Folder", "Tag")


def _schema(
    extra: dict[str, Any] | None = None,
    required: tuple[str, ...] = (),
    need_one_of: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Target-selection properties plus ``extra``; at least one target key is required."""
    props = copy.deepcopy(TARGET_PROPERTIES)
    props.update(extra or {})
    schema: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "anyOf": [{"required": [k]} for k in TARGET_KEYS],
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    if need_one_of:
        schema["allOf"] = [{"anyOf": [{"required": [k]} for k in need_one_of]}]
    return schema


class VSphereAction(Action):
    """Base of the VM actions: resolve the selection, submit one vSphere operation per VM,
    then poll them on engine wake-ups (never a blocking wait) until every one is done.

    The per-VM handles (vSphere task morefs) live in the task execution's action state,
    so they are visible on the task execution and survive a worker restart.
    """

    type = "Product.VSphere"
    service = "VSphere"
    template_version = "v1"
    synchronous = False

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        return ["vsphere:DescribeVMs", *cls.permissions]

    # -- behaviour --

    def submit(self, vcenter, vm, properties: dict[str, Any]) -> list:
        """Start this action's operation(s) on one VM; returns OperationHandles."""
        raise NotImplementedError

    def targets(self, ctx, include_templates: bool = False) -> list:
        return select_vms(ctx.execution.tenant_id, ctx.properties, include_templates=include_templates)

    def start(self, ctx):
        r = results
        try:
            vms = self.targets(ctx)
        except VSphereError as exc:
            return r.Failed(str(exc), retryable=False)
        if not vms:
            return r.Failed("No VM in the synced inventory matches the selection.", retryable=False)
        ops = []
        for vm in vms:
            entry = {"VMId": vm.moref, "Name": vm.name, "VCenterId": vm.vcenter.vsphere_uuid}
            try:
                for handle in self.submit(vm.vcenter, vm, ctx.properties):
                    ops.append({**entry, "Handle": handle.to_dict(), "TaskId": handle.task, "State": "running",
                                "Progress": 0})
            except VSphereError as exc:
                ops.append({**entry, "State": "error", "Error": str(exc)})
        ctx.state["ops"] = ops
        ctx.state["polls"] = 0
        submitted = [op["TaskId"] or op["VMId"] for op in ops if op["State"] == "running"]
        ctx.log(f"{self.api} submitted for {len(submitted)} of {len(vms)} VM(s): {', '.join(submitted)}.")
        return self.poll(ctx) if submitted else self.outcome(ctx)

    def poll(self, ctx):
        for op in ctx.state.get("ops", []):
            if op["State"] != "running":
                continue
            try:
                result = vm_operations.poll(op["Handle"])
            except VSphereError as exc:  # the connection, not the task: look again, for a while
                self.unreachable(ctx, op, str(exc))
                continue
            op.pop("UnreachableSince", None)
            op["State"], op["Progress"] = result.state, result.progress
            if result.state == "success":
                op["Result"] = result.result
                self.after_success(ctx, op)
            elif result.state == "error":
                op["Error"] = result.error
                self.after_error(ctx, op)
        if any(op["State"] == "running" for op in ctx.state.get("ops", [])):
            ctx.state["polls"] = ctx.state.get("polls", 0) + 1
            delay = min(5.0, 0.5 * (1 + ctx.state["polls"]))
            return results.Wait(until=ctx.now + dt.timedelta(seconds=delay), reason=self.progress_text(ctx))
        return self.outcome(ctx)

    def unreachable(self, ctx, op: dict[str, Any], reason: str) -> None:
        """The vCenter did not answer a poll: keep polling until it has been silent for
        ``VSPHERE_UNREACHABLE_SECONDS``, then fail the operation (the task's Retries
        decide what follows), so a vCenter that stays down never leaves a task Running."""
        op["LastPollError"] = reason
        since = dt.datetime.fromisoformat(op.setdefault("UnreachableSince", ctx.now.isoformat()))
        limit = float(getattr(settings, "VSPHERE_UNREACHABLE_SECONDS", 120))
        if (ctx.now - since).total_seconds() >= limit:
            op.update(State="error", Error=f"the vCenter did not answer for {int(limit)} s ({reason}); "
                                           "the operation's outcome is unknown")

    def after_error(self, ctx, op: dict[str, Any]) -> None:
        """Hook for a follow-up after an operation failed (guest shutdown → power off)."""

    def after_success(self, ctx, op: dict[str, Any]) -> None:
        """Hook for a second operation after the first succeeded (power off → destroy)."""

    def follow_with(self, ctx, op: dict[str, Any], submit) -> None:
        """Replace ``op``'s finished operation with the next one, ``submit(vcenter)``."""
        vcenter = VCenter.objects.get(pk=op["Handle"]["vcenter_id"])
        try:
            handle = submit(vcenter)
        except VSphereError as exc:
            op.update(State="error", Error=str(exc))
            return
        op.update(Handle=handle.to_dict(), TaskId=handle.task, State="running", Progress=0)

    def progress_text(self, ctx) -> str:
        ops = ctx.state.get("ops", [])
        done = sum(1 for op in ops if op["State"] != "running")
        return f"{self.api}: {done} of {len(ops)} VM operation(s) finished."

    def outcome(self, ctx):
        r = results
        ops = ctx.state.get("ops", [])
        rows = [{k: op.get(k) for k in ("VMId", "Name", "VCenterId", "TaskId", "State", "Result", "Error")}
                for op in ops]
        failed = [op for op in ops if op["State"] == "error"]
        if failed:
            reasons = "; ".join(f"{op['Name']} ({op['VMId']}): {op.get('Error', 'failed')}" for op in failed)
            return r.Failed(f"{len(failed)} of {len(ops)} VM operation(s) failed: {reasons}")
        return r.Done({"VMs": rows, "TaskIds": [op["TaskId"] for op in ops if op.get("TaskId")]})

    def cancel(self, ctx):
        for op in ctx.state.get("ops", []):
            if op["State"] == "running" and op.get("TaskId"):
                try:
                    cancelled, why = vm_operations.cancel(op["Handle"])
                except VSphereError as exc:
                    cancelled, why = False, str(exc)
                ctx.log(f"Cancel {op['TaskId']}: " + ("cancelled." if cancelled else f"not cancelled ({why})."))



def _ops(name: str, *extra_args: str):
    """A ``submit`` calling ``vm_operations.<name>(vcenter, moref)``."""

    def submit(self, vcenter, vm, properties):
        return [getattr(vm_operations, name)(vcenter, vm.moref)]

    return submit


@register
class DescribeVMs(VSphereAction):
    name = "ACS::VSphere::DescribeVMs"
    description = "Lists the selected VMs with their power state, host and resources (read only)."
    api = "DescribeVMs"
    risk = "Low"
    permissions = ()
    popularity = 90
    properties_schema = _schema()

    synchronous = True  # reads the synced inventory only

    def start(self, ctx):
        try:
            vms = self.targets(ctx, include_templates=True)
        except VSphereError as exc:
            return results.Failed(str(exc), retryable=False)
        return results.Done({"VMs": [vm_summary(vm) for vm in vms]})


@register
class StartVM(VSphereAction):
    name = "ACS::VSphere::StartVM"
    description = "Powers on the selected VMs and waits until they run."
    api = "PowerOnVM"
    risk = "Low"
    permissions = ("vsphere:PowerOnVM",)
    popularity = 85
    properties_schema = _schema()

    submit = _ops("submit_power_on")


@register
class StopVM(VSphereAction):
    name = "ACS::VSphere::StopVM"
    description = "Hard powers off the selected VMs (no guest shutdown)."
    api = "PowerOffVM"
    risk = "High"
    permissions = ("vsphere:PowerOffVM",)
    popularity = 80
    properties_schema = _schema()

    submit = _ops("submit_power_off")


@register
class ShutdownVMGuest(VSphereAction):
    name = "ACS::VSphere::ShutdownVMGuest"
    description = "Asks VMware Tools to shut the guest OS down, optionally powering off after a timeout."
    api = "ShutdownGuest"
    risk = "Medium"
    permissions = ("vsphere:ShutdownGuest",)
    popularity = 70
    properties_schema = _schema({
        "ForceAfterSeconds": {"type": "integer", "minimum": 0, "maximum": 86400,
                              "description": "Hard power off if still running after this long (0 = never)."},
    })

    def submit(self, vcenter, vm, properties):
        force = properties.get("ForceAfterSeconds") or 0
        kwargs = {"timeout": force} if force else {}
        return [vm_operations.submit_shutdown_guest(vcenter, vm.moref, **kwargs)]

    def after_error(self, ctx, op):
        """The guest did not shut down in time: with ForceAfterSeconds, cut the power."""
        if not ctx.properties.get("ForceAfterSeconds") or op.get("Forced") or "still" not in op.get("Error", ""):
            return
        vcenter = VCenter.objects.get(pk=op["Handle"]["vcenter_id"])
        try:
            handle = vm_operations.submit_power_off(vcenter, op["VMId"])
        except VSphereError as exc:
            op["Error"] = f"{op['Error']}; forced power off failed: {exc}"
            return
        ctx.log(f"{op['Name']}: guest still running after {ctx.properties['ForceAfterSeconds']} s; powering off.")
        op.update(Handle=handle.to_dict(), TaskId=handle.task, State="running", Forced=True, Error="")



@register
class RebootVMGuest(VSphereAction):
    name = "ACS::VSphere::RebootVMGuest"
    description = "Asks VMware Tools to reboot the guest OS."
    api = "RebootGuest"
    risk = "Medium"
    permissions = ("vsphere:RebootGuest",)
    popularity = 65
    properties_schema = _schema()

    submit = _ops("submit_reboot_guest")


@register
class ResetVM(VSphereAction):
    name = "ACS::VSphere::ResetVM"
    description = "Hard resets the selected VMs (like pressing the reset button)."
    api = "ResetVM"
    risk = "High"
    permissions = ("vsphere:ResetVM",)
    popularity = 40
    properties_schema = _schema()

    submit = _ops("submit_reset")


@register
class SuspendVM(VSphereAction):
    name = "ACS::VSphere::SuspendVM"
    description = "Suspends the selected VMs."
    api = "SuspendVM"
    risk = "Medium"
    permissions = ("vsphere:SuspendVM",)
    popularity = 30
    properties_schema = _schema()

    submit = _ops("submit_suspend")


@register
class CreateVMSnapshot(VSphereAction):
    name = "ACS::VSphere::CreateVMSnapshot"
    description = "Takes a snapshot of each selected VM."
    api = "CreateSnapshot"
    risk = "Low"
    permissions = ("vsphere:CreateSnapshot",)
    popularity = 75
    properties_schema = _schema({
        "SnapshotName": {"type": "string", "minLength": 1, "maxLength": 80},
        "Description": {"type": "string", "maxLength": 1000},
        "Memory": {"type": "boolean", "description": "Include the VM's memory."},
        "Quiesce": {"type": "boolean", "description": "Quiesce the guest file system (needs VMware Tools)."},
    }, required=("SnapshotName",))

    def submit(self, vcenter, vm, properties):
        return [vm_operations.submit_create_snapshot(
            vcenter, vm.moref, properties["SnapshotName"], description=properties.get("Description", ""),
            memory=bool(properties.get("Memory", False)), quiesce=bool(properties.get("Quiesce", False)))]


@register
class RevertVMSnapshot(VSphereAction):
    name = "ACS::VSphere::RevertVMSnapshot"
    description = "Reverts each selected VM to a named snapshot (or its current one); later changes are lost."
    api = "RevertToSnapshot"
    risk = "High"
    permissions = ("vsphere:RevertToSnapshot",)
    popularity = 55
    properties_schema = _schema({
        "SnapshotName": {"type": "string", "minLength": 1, "description": "Omit to revert to the current snapshot."},
        "SuppressPowerOn": {"type": "boolean"},
    })

    def submit(self, vcenter, vm, properties):
        return [vm_operations.submit_revert_snapshot(vcenter, vm.moref, properties.get("SnapshotName"))]


@register
class RemoveVMSnapshot(VSphereAction):
    name = "ACS::VSphere::RemoveVMSnapshot"
    description = "Removes a named snapshot (or all snapshots) of each selected VM."
    api = "RemoveSnapshot"
    risk = "High"
    permissions = ("vsphere:RemoveSnapshot",)
    popularity = 50
    properties_schema = _schema({
        "SnapshotName": {"type": "string", "minLength": 1},
        "RemoveAll": {"type": "boolean"},
        "RemoveChildren": {"type": "boolean"},
        "Consolidate": {"type": "boolean"},
    })

    def submit(self, vcenter, vm, properties):
        if not properties.get("SnapshotName"):
            raise VSphereError("give the SnapshotName to remove")
        return [vm_operations.submit_remove_snapshot(
            vcenter, vm.moref, properties["SnapshotName"],
            remove_children=bool(properties.get("RemoveChildren", False)),
            consolidate=bool(properties.get("Consolidate", True)))]


@register
class ReconfigureVM(VSphereAction):
    name = "ACS::VSphere::ReconfigureVM"
    description = "Changes the CPU count and/or memory of the selected VMs."
    api = "ReconfigureVM"
    risk = "Medium"
    permissions = ("vsphere:ReconfigureVM",)
    popularity = 60
    properties_schema = _schema({
        "NumCPUs": {"type": "integer", "minimum": 1, "maximum": 768},
        "CoresPerSocket": {"type": "integer", "minimum": 1, "maximum": 768},
        "MemoryMB": {"type": "integer", "minimum": 4, "maximum": 25165824},
    }, need_one_of=("NumCPUs", "MemoryMB"))

    def submit(self, vcenter, vm, properties):
        return [vm_operations.submit_reconfigure(
            vcenter, vm.moref, num_cpus=properties.get("NumCPUs"), memory_mb=properties.get("MemoryMB"))]


@register
class CloneVM(VSphereAction):
    name = "ACS::VSphere::CloneVM"
    description = "Clones the selected source VM (or template) into new VMs."
    api = "CloneVM"
    risk = "Medium"
    permissions = ("vsphere:CloneVM",)
    popularity = 55
    properties_schema = _schema({
        "CloneNames": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 80},
                       "minItems": 1, "maxItems": 100, "description": "Names of the new VMs."},
        "TargetFolder": {"type": "string"},
        "ResourcePool": {"type": "string"},
        "Datastore": {"type": "string"},
        "Host": {"type": "string"},
        "PowerOn": {"type": "boolean"},
        "LinkedClone": {"type": "boolean"},
        "FromSnapshot": {"type": "string"},
    }, required=("CloneNames",))

    def targets(self, ctx, include_templates: bool = True) -> list:
        sources = super().targets(ctx, include_templates=True)
        if len(sources) > 1:
            raise VSphereError(f"the selection matches {len(sources)} VMs; choose exactly one source to clone")
        return sources

    def submit(self, vcenter, vm, properties):
        return [vm_operations.submit_clone(vcenter, vm.moref, name, folder=properties.get("TargetFolder"),
                                           power_on=bool(properties.get("PowerOn", False)))
                for name in properties["CloneNames"]]


@register
class DestroyVM(VSphereAction):
    name = "ACS::VSphere::DestroyVM"
    description = "Powers off (if needed) and deletes the selected VMs and their disks."
    api = "DestroyVM"
    risk = "High"
    permissions = ("vsphere:PowerOffVM", "vsphere:DestroyVM")
    popularity = 35
    properties_schema = _schema({
        "PowerOffFirst": {"type": "boolean", "description": "Power off running VMs first (else they fail)."},
    })

    def submit(self, vcenter, vm, properties):
        if properties.get("PowerOffFirst") and vm.power_state == "poweredOn":
            return [vm_operations.submit_power_off(vcenter, vm.moref)]
        return [vm_operations.submit_destroy(vcenter, vm.moref)]

    def after_success(self, ctx, op):
        if op["Handle"]["operation"] == "PowerOff":
            ctx.log(f"{op['Name']} is powered off; destroying it.")
            self.follow_with(ctx, op, lambda vcenter: vm_operations.submit_destroy(vcenter, op["VMId"]))

