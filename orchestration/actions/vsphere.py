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
from typing import Any

from .base import Action
from .registry import register

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
    type = "Product.VSphere"
    service = "VSphere"
    template_version = "v1"

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        return ["vsphere:DescribeVMs", *cls.permissions]


@register
class DescribeVMs(VSphereAction):
    name = "ACS::VSphere::DescribeVMs"
    description = "Lists the selected VMs with their power state, host and resources (read only)."
    api = "DescribeVMs"
    risk = "Low"
    permissions = ()
    popularity = 90
    properties_schema = _schema()


@register
class StartVM(VSphereAction):
    name = "ACS::VSphere::StartVM"
    description = "Powers on the selected VMs and waits until they run."
    api = "PowerOnVM"
    risk = "Low"
    permissions = ("vsphere:PowerOnVM",)
    popularity = 85
    properties_schema = _schema()


@register
class StopVM(VSphereAction):
    name = "ACS::VSphere::StopVM"
    description = "Hard powers off the selected VMs (no guest shutdown)."
    api = "PowerOffVM"
    risk = "High"
    permissions = ("vsphere:PowerOffVM",)
    popularity = 80
    properties_schema = _schema()


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


@register
class RebootVMGuest(VSphereAction):
    name = "ACS::VSphere::RebootVMGuest"
    description = "Asks VMware Tools to reboot the guest OS."
    api = "RebootGuest"
    risk = "Medium"
    permissions = ("vsphere:RebootGuest",)
    popularity = 65
    properties_schema = _schema()


@register
class ResetVM(VSphereAction):
    name = "ACS::VSphere::ResetVM"
    description = "Hard resets the selected VMs (like pressing the reset button)."
    api = "ResetVM"
    risk = "High"
    permissions = ("vsphere:ResetVM",)
    popularity = 40
    properties_schema = _schema()


@register
class SuspendVM(VSphereAction):
    name = "ACS::VSphere::SuspendVM"
    description = "Suspends the selected VMs."
    api = "SuspendVM"
    risk = "Medium"
    permissions = ("vsphere:SuspendVM",)
    popularity = 30
    properties_schema = _schema()


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
