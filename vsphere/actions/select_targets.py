"""``ACS::SelectTargets``: choose the VMs a later task's Loop runs over, as OOS chooses instances.

Alibaba's templates select with ``ResourceType: ALIYUN::ECS::Instance`` and ``Filters``
(usually one, from a parameter the console fills), then loop over
``Instances.Instance[].InstanceId``. Here the resources are the VMs of the synced
inventory of the tenant's granted vCenters, so ``ALIYUN::VSphere::VM`` is the resource
type, ``ALIYUN::ECS::Instance`` is read as the same (a ported template runs unchanged),
and the answer has DescribeInstances' shape with the VM's moref as ``InstanceId`` — the
id every VM action takes in ``VMIds`` — plus the native ``VMs`` rows of DescribeVMs.
"""
from __future__ import annotations

from typing import Any, ClassVar

from orchestration.actions.base import Action
from orchestration.actions.registry import register
from orchestration.engine import results
from templates_app.language.cloud import CLOUD_MARK
from vsphere.models import InventoryObject
from vsphere.read_operations import tenant_vcenters, vm_summary
from vsphere.services.faults import VSphereError
from vsphere.services.target_filters import FILTER_TYPES, select_targets

VM_TYPE = "ALIYUN::VSphere::VM"
RESOURCE_TYPES = (VM_TYPE, "ALIYUN::ECS::Instance")  # the ECS name is read as vSphere VMs
_KEY_VALUES = {"type": "array", "minItems": 1, "items": {
    "type": "object", "properties": {"Key": {"type": "string", "minLength": 1}, "Value": {"type": "string"}},
    "required": ["Key"], "additionalProperties": False}}
# Which key each filter Type needs.
_NEEDS = {"ResourceIds": "ResourceIds", "Tags": "Tags", "ResourceGroup": "ResourceGroupId", "NamePattern": "Pattern",
          "Folder": "Folder", "Cluster": "Cluster", "Host": "Host", "CustomAttributes": "Attributes"}

FILTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Type": {"enum": list(FILTER_TYPES), "description": "How to choose: " + ", ".join(FILTER_TYPES) + "."},
        "RegionId": {"type": "string", "description": "Only the vCenters of this region."},
        "ResourceIds": {"type": "array", "items": {"type": "string"}, "description": "VM morefs or instance UUIDs."},
        "Tags": {**_KEY_VALUES, "description": "Custom attribute Key=Value, or a tag/attribute named Key."},
        "ResourceGroupId": {"type": "string", "minLength": 1, "description": "A folder (moref or path)."},
        "Pattern": {"type": "string", "minLength": 1, "description": "Shell-style pattern on VM names."},
        "Folder": {"type": "string", "minLength": 1, "description": "A folder (moref or path); VMs under it."},
        "Cluster": {"type": "string", "minLength": 1, "description": "A cluster (moref or name)."},
        "Host": {"type": "string", "minLength": 1, "description": "A host (moref or name)."},
        "Attributes": {**_KEY_VALUES, "description": "Custom attributes Key=Value (all must hold)."},
    },
    "required": ["Type"],
    "allOf": [{"if": {"properties": {"Type": {"const": kind}}, "required": ["Type"]},
               "then": {"required": [key]}} for kind, key in _NEEDS.items()],
    "additionalProperties": False,
}


def _status(vm: InventoryObject) -> str:
    return {"poweredOn": "Running", "poweredOff": "Stopped", "suspended": "Suspended"}.get(vm.power_state, "Unknown")


def instance_row(vm: InventoryObject) -> dict[str, Any]:
    """One VM in the shape of an ECS DescribeInstances row, so Alibaba's selectors read it."""
    tags = [{"TagKey": key, "TagValue": str(value)} for key, value in vm.custom_attributes.items()]
    tags += [{"TagKey": key, "TagValue": ""} for key in vm.tags if key not in vm.custom_attributes]
    return {
        "InstanceId": vm.moref,
        "InstanceName": vm.name,
        "Status": _status(vm),
        "OSType": "windows" if "windows" in vm.guest_os.lower() else "linux",
        "OSName": vm.guest_os,
        "Cpu": vm.num_cpu,
        "Memory": vm.memory_mb,
        "RegionId": vm.vcenter.region_id or "",
        "VCenterId": vm.vcenter.vsphere_uuid,
        "InstanceUuid": vm.instance_uuid,
        "Tags": {"Tag": tags},
    }


@register
class SelectTargets(Action):
    name = "ACS::SelectTargets"
    type = "Atomic.Control"
    description = ("Chooses VMs of the synced inventory (by ids, tags, folder, cluster, host, name pattern or "
                   "custom attributes) for a later task's Loop; ALIYUN::ECS::Instance is read as vSphere VMs.")
    service = "VSphere"
    api = "DescribeVMs"
    permissions = ("vsphere:DescribeVMs",)
    popularity = 88
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "ResourceType": {"type": "string", "description": f"{VM_TYPE} (or ALIYUN::ECS::Instance, read as VMs)."},
            "RegionId": {"type": "string", "description": "Only the vCenters of this region."},
            "VCenterId": {"type": "string", "description": "Only this vCenter (its uuid)."},
            "Filters": {"type": "array", "minItems": 1, "items": FILTER_SCHEMA,
                        "description": "Target filters; a VM is chosen when every filter holds."},
        },
        "required": ["ResourceType", "Filters"],
        "additionalProperties": False,
    }

    @classmethod
    def template_problems(cls, properties: dict[str, Any], index: int, tasks: list[Any]) -> list[tuple[str, str]]:
        kind = properties.get("ResourceType")
        if isinstance(kind, str) and "{{" not in kind and kind not in RESOURCE_TYPES:
            return [("Properties.ResourceType", resource_type_problem(kind))]
        return []

    def start(self, ctx):
        props = ctx.properties
        if props["ResourceType"] not in RESOURCE_TYPES:
            return results.Failed(resource_type_problem(props["ResourceType"]), retryable=False)
        scope = {key: props[key] for key in ("RegionId", "VCenterId") if props.get(key)}
        vcenters = list(tenant_vcenters(ctx.execution.tenant_id, scope))
        if not vcenters:
            where = " in " + ", ".join(f"{k} {v}" for k, v in scope.items()) if scope else ""
            return results.Failed(f"No vCenter{where} is granted to this tenant.", retryable=False)
        try:
            vms = select_targets(vcenters, props["Filters"])
        except VSphereError as exc:
            return results.Failed(str(exc), retryable=False)
        ctx.log(f"Selected {len(vms)} VM(s)" + (f": {', '.join(vm.name for vm in vms[:20])}" if vms else "."))
        return results.Done({
            "Instances": {"Instance": [instance_row(vm) for vm in vms]},
            "VMs": [vm_summary(vm) for vm in vms],
            "TotalCount": len(vms),
        })


def resource_type_problem(kind: str) -> str:
    parts = kind.split("::")
    if len(parts) == 3 and parts[0] == "ALIYUN":  # another Alibaba product's resources (RDS, Redis…)
        return (f"{kind} {CLOUD_MARK} {parts[1]} resource type: ACS::SelectTargets chooses vSphere VMs "
                f"(ResourceType {VM_TYPE}, or ALIYUN::ECS::Instance, read as VMs)")
    return (f"{kind} is not a resource type of this service: ACS::SelectTargets chooses vSphere VMs "
            f"(ResourceType {VM_TYPE}, or ALIYUN::ECS::Instance, read as VMs)")
