"""Inventory sync: every managed entity of a vCenter in one PropertyCollector round trip.

One ContainerView over the root folder (recursive, all entity types we keep) and one
``RetrievePropertiesEx`` with a PropertySpec per type, paged with
``ContinueRetrievePropertiesEx``; no per-object calls. Rows are upserted by
``(vcenter, moref)``; objects gone from the vCenter are deleted.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import transaction
from pyVmomi import vim, vmodl

from vsphere.models import EntityType, InventoryObject, VCenter, VSphereTask

from . import connection

logger = logging.getLogger(__name__)

COMMON = ["name", "parent"]
PROPERTIES: dict[type, list[str]] = {
    vim.Folder: COMMON,
    vim.Datacenter: COMMON,
    vim.ClusterComputeResource: COMMON,
    vim.ComputeResource: COMMON,
    vim.HostSystem: COMMON,
    vim.Datastore: COMMON,
    vim.ResourcePool: COMMON,  # also covers VirtualApp (a subtype)
    vim.VirtualMachine: [
        "name", "parent", "parentVApp", "runtime.host", "runtime.powerState", "config.guestFullName",
        "config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
        "guest.ipAddress", "datastore", "customValue", "tag",
    ],
}
VM_FIELDS = ["power_state", "guest_os", "num_cpu", "memory_mb", "ip_address", "instance_uuid", "is_template",
             "custom_attributes", "tags"]
ROW_FIELDS = ["type", "name", "parent", "path", "name_path", "datacenter", "host", "cluster", "datastores",
              *VM_FIELDS]


@dataclass
class InventoryResult:
    objects: int
    created: int
    updated: int
    deleted: int
    seconds: float


def _type_name(obj) -> str:
    return type(obj).__name__.rsplit(".", 1)[-1]


def fetch_inventory(si: vim.ServiceInstance) -> dict[str, dict]:
    """``{moref: {"type", "obj", props…}}`` for every entity, the root folder included."""
    content = connection.content(si)
    view = content.viewManager.CreateContainerView(content.rootFolder, list(PROPERTIES), True)
    try:
        spec = vmodl.query.PropertyCollector.FilterSpec(
            objectSet=[vmodl.query.PropertyCollector.ObjectSpec(
                obj=view, skip=True,
                selectSet=[vmodl.query.PropertyCollector.TraversalSpec(
                    name="view", path="view", skip=False, type=vim.view.ContainerView)],
            )],
            propSet=[vmodl.query.PropertyCollector.PropertySpec(type=kind, pathSet=paths)
                     for kind, paths in PROPERTIES.items()],
        )
        collector = content.propertyCollector
        options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=1000)
        result = collector.RetrievePropertiesEx([spec], options)
        found: dict[str, dict] = {}
        while result is not None:
            for item in result.objects:
                props = {p.name: p.val for p in item.propSet}
                props["obj"] = item.obj
                props["type"] = _type_name(item.obj)
                found[item.obj._moId] = props
            if not result.token:
                break
            result = collector.ContinueRetrievePropertiesEx(result.token)
    finally:
        view.Destroy()
    root = content.rootFolder
    found[root._moId] = {"obj": root, "type": "Folder", "name": "Datacenters", "parent": None}
    return found


def _moid(value) -> str:
    return value._moId if value is not None else ""


def build_rows(found: dict[str, dict]) -> dict[str, dict]:
    """Rows with materialised paths; parents are resolved from the same snapshot."""
    rows: dict[str, dict] = {}

    def resolve(moref: str, depth: int = 0) -> dict:
        if moref in rows:
            return rows[moref]
        props = found[moref]
        parent_obj = props.get("parentVApp") or props.get("parent")
        parent = _moid(parent_obj)
        if parent and parent in found and depth < 64:
            up = resolve(parent, depth + 1)
            path, name_path = up["path"] + moref + "/", up["name_path"] + props.get("name", "") + "/"
            datacenter, cluster = up["datacenter"], up["cluster"]
        else:
            path, name_path, datacenter, cluster = f"/{moref}/", "/", "", ""
        kind = props["type"]
        if kind == "Datacenter":
            datacenter = moref
            name_path = "/" + props.get("name", "") + "/"
        if kind == "ClusterComputeResource":
            cluster = moref
        row = {
            "type": kind if kind in EntityType.values else "Folder",
            "name": (props.get("name") or moref)[:255],
            "parent": parent,
            "path": path,
            "name_path": name_path[:2048],
            "datacenter": datacenter,
            "host": moref if kind == "HostSystem" else "",
            "cluster": cluster,
            "datastores": "",
            "power_state": "", "guest_os": "", "num_cpu": None, "memory_mb": None, "ip_address": "",
            "instance_uuid": "", "is_template": False, "custom_attributes": {}, "tags": [],
        }
        if kind == "VirtualMachine":
            row.update(_vm_details(props))
        rows[moref] = row
        return row

    for moref in found:
        resolve(moref)
    # VMs run on hosts; their cluster comes from their host.
    for row in rows.values():
        if row["type"] == "VirtualMachine" and row["host"] in rows:
            row["cluster"] = rows[row["host"]]["cluster"]
    return rows


def _vm_details(props: dict) -> dict:
    field_names = props.get("_field_names", {})
    custom = {}
    for value in props.get("customValue") or []:
        custom[field_names.get(value.key, str(value.key))] = getattr(value, "value", "")
    datastores = [ds._moId for ds in props.get("datastore") or []]
    return {
        "host": _moid(props.get("runtime.host")),
        "power_state": str(props.get("runtime.powerState") or ""),
        "guest_os": (props.get("config.guestFullName") or "")[:255],
        "num_cpu": props.get("config.hardware.numCPU"),
        "memory_mb": props.get("config.hardware.memoryMB"),
        "ip_address": props.get("guest.ipAddress") or "",
        "instance_uuid": props.get("config.instanceUuid") or "",
        "is_template": bool(props.get("config.template")),
        "custom_attributes": custom,
        "tags": [tag.key for tag in props.get("tag") or []],
        "datastores": ("/" + "/".join(datastores) + "/") if datastores else "",
    }


def sync_inventory(vcenter: VCenter) -> InventoryResult:
    """Fetch the whole inventory and make the table match it; returns counts."""
    started = time.monotonic()

    def work(si):
        found = fetch_inventory(si)
        fields = {f.key: f.name for f in connection.content(si).customFieldsManager.field or []}
        for props in found.values():
            props["_field_names"] = fields
        return found

    found = connection.call(vcenter, work)
    rows = build_rows(found)
    created = updated = 0
    with transaction.atomic():
        existing = {obj.moref: obj for obj in InventoryObject.objects.filter(vcenter=vcenter)}
        to_create, to_update = [], []
        for moref, row in rows.items():
            obj = existing.get(moref)
            if obj is None:
                to_create.append(InventoryObject(vcenter=vcenter, moref=moref, **row))
            elif any(getattr(obj, name) != value for name, value in row.items()):
                for name, value in row.items():
                    setattr(obj, name, value)
                to_update.append(obj)
        gone = [moref for moref in existing if moref not in rows]
        InventoryObject.objects.bulk_create(to_create, batch_size=500)
        InventoryObject.objects.bulk_update(to_update, ROW_FIELDS, batch_size=500)
        deleted = InventoryObject.objects.filter(vcenter=vcenter, moref__in=gone).delete()[0] if gone else 0
        created, updated = len(to_create), len(to_update)
        _locate_unplaced_tasks(vcenter, rows)
    return InventoryResult(len(rows), created, updated, deleted, time.monotonic() - started)


def _locate_unplaced_tasks(vcenter: VCenter, rows: dict[str, dict]) -> None:
    """Tasks synced before their entity was in the inventory get their place now."""
    pending = VSphereTask.objects.filter(vcenter=vcenter, entity_path="").exclude(entity_moref="")
    changed = []
    for task in pending.only("id", "entity_moref"):
        row = rows.get(task.entity_moref)
        if row is not None:
            task.entity_path, task.datacenter, task.host = row["path"], row["datacenter"], row["host"]
            changed.append(task)
    VSphereTask.objects.bulk_update(changed, ["entity_path", "datacenter", "host"], batch_size=500)
