"""After a VM operation succeeds, read that one VM back from its vCenter into the inventory.

The inventory sync runs every few minutes; without this, the console would show a VM the
operator just stopped as "Powered on" until then. Reading one VM's few properties is cheap,
and a failure here only means the next sync brings the change (it never fails the task).
"""
from __future__ import annotations

import logging

from pyVmomi import vim, vmodl

from vsphere.models import InventoryObject, VCenter

from . import connection
from .faults import VSphereError

logger = logging.getLogger(__name__)

# vSphere property path -> InventoryObject field, for what a VM operation can change.
PROPERTIES = {
    "runtime.powerState": "power_state",
    "config.hardware.numCPU": "num_cpu",
    "config.hardware.memoryMB": "memory_mb",
    "guest.ipAddress": "ip_address",
}


def _read(si: vim.ServiceInstance, moref: str) -> dict | None:
    """The VM's properties, or None when it no longer exists (destroyed)."""
    PC = vmodl.query.PropertyCollector  # noqa: N806
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vim.VirtualMachine(moref, si._stub))],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=list(PROPERTIES))],
    )
    try:
        result = connection.content(si).propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
    except vmodl.fault.ManagedObjectNotFound:
        return None
    if not result or not result.objects:
        return None
    return {prop.name: prop.val for item in result.objects for prop in item.propSet}


def refresh_vm(vcenter_id: int, moref: str) -> str | None:
    """Update (or, when gone, delete) one VM's inventory row from its vCenter now.

    Returns the power state now stored, or None when nothing was read.
    """
    vcenter = VCenter.objects.filter(pk=vcenter_id).first()
    if vcenter is None:
        return None
    try:
        props = connection.call(vcenter, lambda si: _read(si, moref))
    except VSphereError as exc:
        logger.info("refreshing %s on vCenter %s after its task failed: %s", moref, vcenter_id, exc)
        return None
    rows = InventoryObject.objects.filter(vcenter_id=vcenter_id, moref=moref)
    if props is None:
        rows.delete()
        return None
    values = {field: props.get(path) for path, field in PROPERTIES.items() if path in props}
    values["power_state"] = str(values.get("power_state") or "")
    values["ip_address"] = values.get("ip_address") or ""
    rows.update(**values)
    return values["power_state"]
