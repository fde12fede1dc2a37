"""Choosing VMs from the synced inventory by OOS-style target filters (``ACS::SelectTargets``).

A filter is a mapping with a ``Type``: Alibaba's own (``ResourceIds``, ``Tags``,
``ResourceGroup``, ``All``) and vSphere's (``NamePattern``, ``Folder``, ``Cluster``,
``Host``, ``CustomAttributes``). Filters combine with AND: a VM is chosen when every
filter holds, so adding a filter can only narrow what a later task acts on. A filter's
own ``RegionId`` narrows it to the vCenters of that region.

vSphere has no tag values: a ``Tags`` entry ``{Key, Value}`` matches a custom attribute
``Key`` with that value, and ``{Key}`` alone a vSphere tag or a custom attribute named
``Key`` — the same reading as the VM actions' ``Tag`` property. Alibaba's resource groups
become inventory folders (both group resources for access), so ``ResourceGroupId`` is a
folder, like ``Folder``: its moref or its path of names, and VMs anywhere under it.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q, QuerySet

from vsphere.models import EntityType, InventoryObject, VCenter

from .faults import VSphereError

FILTER_TYPES = ("ResourceIds", "Tags", "ResourceGroup", "All", "NamePattern", "Folder", "Cluster", "Host",
                "CustomAttributes")


def select_targets(vcenters: Iterable[VCenter], filters: list[dict[str, Any]]) -> list[InventoryObject]:
    """The VMs (not templates) of ``vcenters`` every filter chooses, ordered by vCenter and name."""
    vcenter_ids = [vc.pk for vc in vcenters]
    rows = InventoryObject.objects.filter(vcenter_id__in=vcenter_ids, type=EntityType.VM, is_template=False)
    checks: list[Callable[[InventoryObject], bool]] = []
    for item in filters:
        if item.get("RegionId"):
            rows = rows.filter(vcenter__region_id=item["RegionId"])
        rows, check = _apply(rows, item, vcenter_ids)
        if check is not None:
            checks.append(check)
    chosen = rows.select_related("vcenter").order_by("vcenter_id", "name")
    return [vm for vm in chosen if all(check(vm) for check in checks)]


def _apply(rows: QuerySet, item: dict[str, Any], vcenter_ids: list[int]):
    """(narrowed rows, a check on each row or None) for one filter."""
    kind = item.get("Type")
    if kind == "All":
        return rows, None
    if kind == "ResourceIds":
        ids = [str(i) for i in item.get("ResourceIds") or []]
        return rows.filter(Q(moref__in=ids) | Q(instance_uuid__in=ids)), None
    if kind in ("Folder", "ResourceGroup"):
        folder = item.get("Folder") if kind == "Folder" else item.get("ResourceGroupId")
        return _under(rows, vcenter_ids, EntityType.FOLDER, str(folder or ""), by_path=True), None
    if kind == "Cluster":
        return _under(rows, vcenter_ids, EntityType.CLUSTER, str(item.get("Cluster") or "")), None
    if kind == "Host":
        return _under(rows, vcenter_ids, EntityType.HOST, str(item.get("Host") or "")), None
    if kind == "NamePattern":
        pattern = str(item.get("Pattern") or "")
        return rows, lambda vm: fnmatch.fnmatchcase(vm.name, pattern)
    if kind == "Tags":
        return rows, _all_hold(item.get("Tags") or [], _has_tag)
    if kind == "CustomAttributes":
        return rows, _all_hold(item.get("Attributes") or [], _has_attribute)
    raise VSphereError(f"unknown filter Type {kind!r}; one of {', '.join(FILTER_TYPES)}")


def _under(rows: QuerySet, vcenter_ids: list[int], kind: str, ref: str, by_path: bool = False) -> QuerySet:
    """VMs in the inventory objects of ``kind`` named by moref, name or (folders) path of names.

    A folder holds what is below it in the tree (its ``path``); VMs are not below their host
    or cluster in that tree, so those match the VM's ``host``/``cluster`` columns.
    """
    places = InventoryObject.objects.filter(vcenter_id__in=vcenter_ids, type=kind)
    named = Q(moref=ref) | Q(name=ref)
    if by_path:
        named |= Q(name_path="/" + ref.strip("/") + "/")
    found = list(places.filter(named).values_list("vcenter_id", "moref", "path"))
    if not found:
        raise VSphereError(f"no {kind} {ref!r} in the synced inventory of this tenant's vCenters")
    column = {EntityType.HOST: "host", EntityType.CLUSTER: "cluster"}.get(kind)
    inside = Q()
    for vcenter_id, moref, path in found:
        inside |= Q(vcenter_id=vcenter_id, **({column: moref} if column else {"path__startswith": path}))
    return rows.filter(inside)


def _all_hold(entries: list[Any], test: Callable[[InventoryObject, str, Any], bool]):
    pairs = [(str(e.get("Key", "")), e.get("Value")) for e in entries if isinstance(e, dict)]
    return lambda vm: all(test(vm, key, value) for key, value in pairs)


def _has_tag(vm: InventoryObject, key: str, value: Any) -> bool:
    if value in (None, ""):
        return key in vm.tags or key in vm.custom_attributes
    return vm.custom_attributes.get(key) == str(value)


def _has_attribute(vm: InventoryObject, key: str, value: Any) -> bool:
    if value in (None, ""):
        return key in vm.custom_attributes
    return vm.custom_attributes.get(key) == str(value)
