"""vSphere read operations for ``ACS::ExecuteAPI``, ``ACS::WaitFor`` and ``ACS::CheckFor``.

``Service: VSphere`` calls land here: ``DescribeVMs`` (the synced inventory, as the
``ACS::VSphere::DescribeVMs`` action answers it) and ``DescribeVMPowerState`` (a live
read from the vCenter, for waiting until a VM reaches a state). Registered with the
action catalog's read-operation registry when the app loads.
"""
from __future__ import annotations

from typing import Any

from orchestration.actions.api_calls import read_operation
from vsphere.models import InventoryObject, VCenter
from vsphere.services import connection
from vsphere.services.faults import VSphereError
from vsphere.services.vm_operations import resolve_targets


def vm_summary(vm: InventoryObject) -> dict[str, Any]:
    """One VM as every vSphere read answers it (action outputs and read operations alike)."""
    return {
        "VMId": vm.moref,
        "Name": vm.name,
        "VCenterId": vm.vcenter.vsphere_uuid,
        "PowerState": vm.power_state,
        "Host": vm.host,
        "Datacenter": vm.datacenter,
        "GuestOS": vm.guest_os,
        "NumCPU": vm.num_cpu,
        "MemoryMB": vm.memory_mb,
        "IpAddress": vm.ip_address,
        "IsTemplate": vm.is_template,
        "CustomAttributes": vm.custom_attributes,
        "Tags": vm.tags,
    }


def tenant_vcenters(tenant_id: int, parameters: dict[str, Any]):
    vcenters = VCenter.objects.filter(tenants=tenant_id)
    if parameters.get("VCenterId"):
        vcenters = vcenters.filter(vsphere_uuid=parameters["VCenterId"])
    if parameters.get("RegionId"):
        vcenters = vcenters.filter(region_id=parameters["RegionId"])
    return vcenters.distinct()


def select_vms(tenant_id: int, selection: dict[str, Any], *, include_templates: bool = False) -> list[InventoryObject]:
    """The VMs a selection (``VMIds``, ``VMNames``, ``NamePattern``, ``Folder``, ``Tag``,
    optionally ``VCenterId``/``RegionId``) picks among the tenant's vCenters' inventory."""
    return resolve_targets(
        tenant_vcenters(tenant_id, selection),
        vm_ids=selection.get("VMIds"),
        names=selection.get("VMNames"),
        name_pattern=selection.get("NamePattern"),
        folder=selection.get("Folder"),
        tag=selection.get("Tag"),
        include_templates=include_templates,
    )


@read_operation("VSphere", "DescribeVMs")
def describe_vms(tenant_id: int, parameters: dict[str, Any]) -> dict[str, Any]:
    try:
        vms = select_vms(tenant_id, parameters, include_templates=True)
    except VSphereError as exc:  # e.g. a VM id the inventory lacks: the caller's clear failure
        raise LookupError(str(exc)) from exc
    return {"VMs": [vm_summary(vm) for vm in vms]}


@read_operation("VSphere", "DescribeVMPowerState")
def describe_vm_power_state(tenant_id: int, parameters: dict[str, Any]) -> dict[str, Any]:
    """Live power state of one VM (``VMId``), read from its vCenter now, not from the last sync."""
    vm_id = parameters.get("VMId")
    vm = InventoryObject.objects.filter(vcenter__in=tenant_vcenters(tenant_id, parameters), moref=vm_id).first()
    if vm is None:
        raise LookupError(f"no VM {vm_id!r} in the synced inventory of this tenant's vCenters")

    def read(si):
        from pyVmomi import vim

        return str(vim.VirtualMachine(vm.moref, si._stub).runtime.powerState)

    try:
        state = connection.call(vm.vcenter, read)
    except VSphereError as exc:
        raise LookupError(str(exc)) from exc
    return {"VMId": vm.moref, "Name": vm.name, "PowerState": state}
