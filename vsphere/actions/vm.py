"""vSphere VM actions (``Product.VSphere``).

Naming: ``ACS::VSphere::<Verb>VM[<Object>]`` — the verb first, as in vSphere's own API
(``PowerOffVM_Task``, ``CreateSnapshot_Task``), so the catalog sorts by what it does.
Every action selects its VMs the same way (``VMIds``, ``VMNames``, ``NamePattern``,
``Folder``, ``Tag``, optionally scoped by ``VCenterId``/``RegionId``); the engine
resolves the selection against the synced inventory. Each needs ``vsphere:DescribeVMs``
to resolve the selection plus its own operation permission.
"""

from __future__ import annotations

from orchestration.actions.registry import register
from orchestration.engine import results
from vsphere.models import VCenter
from vsphere.read_operations import vm_summary
from vsphere.services import vm_operations
from vsphere.services.faults import VSphereError

from .base import VSphereAction, submit_with, vm_schema


@register
class DescribeVMs(VSphereAction):
    name = "ACS::VSphere::DescribeVMs"
    description = "Lists the selected VMs with their power state, host and resources (read only)."
    api = "DescribeVMs"
    risk = "Low"
    permissions = ()
    popularity = 90
    properties_schema = vm_schema()

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
    properties_schema = vm_schema()

    submit = submit_with("submit_power_on")


@register
class StopVM(VSphereAction):
    name = "ACS::VSphere::StopVM"
    description = "Hard powers off the selected VMs (no guest shutdown)."
    api = "PowerOffVM"
    risk = "High"
    permissions = ("vsphere:PowerOffVM",)
    popularity = 80
    properties_schema = vm_schema()

    submit = submit_with("submit_power_off")


@register
class ShutdownVMGuest(VSphereAction):
    name = "ACS::VSphere::ShutdownVMGuest"
    description = "Asks VMware Tools to shut the guest OS down, optionally powering off after a timeout."
    api = "ShutdownGuest"
    risk = "Medium"
    permissions = ("vsphere:ShutdownGuest",)
    popularity = 70
    properties_schema = vm_schema({
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
    properties_schema = vm_schema()

    submit = submit_with("submit_reboot_guest")


@register
class ResetVM(VSphereAction):
    name = "ACS::VSphere::ResetVM"
    description = "Hard resets the selected VMs (like pressing the reset button)."
    api = "ResetVM"
    risk = "High"
    permissions = ("vsphere:ResetVM",)
    popularity = 40
    properties_schema = vm_schema()

    submit = submit_with("submit_reset")


@register
class SuspendVM(VSphereAction):
    name = "ACS::VSphere::SuspendVM"
    description = "Suspends the selected VMs."
    api = "SuspendVM"
    risk = "Medium"
    permissions = ("vsphere:SuspendVM",)
    popularity = 30
    properties_schema = vm_schema()

    submit = submit_with("submit_suspend")


@register
class CreateVMSnapshot(VSphereAction):
    name = "ACS::VSphere::CreateVMSnapshot"
    description = "Takes a snapshot of each selected VM."
    api = "CreateSnapshot"
    risk = "Low"
    permissions = ("vsphere:CreateSnapshot",)
    popularity = 75
    properties_schema = vm_schema({
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
    properties_schema = vm_schema({
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
    properties_schema = vm_schema({
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
    properties_schema = vm_schema({
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
    properties_schema = vm_schema({
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
    properties_schema = vm_schema({
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

