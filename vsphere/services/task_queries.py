"""Queries behind the task-list API : which tasks, in which order, one page.

Everything here is a single indexed query on ``VSphereTask`` (plus one inventory lookup
for a ``reference``); no HTTP, so other faces can reuse it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from orchestration import row_counts
from orchestration.errors import InvalidParameter, NotFound
from vsphere.models import UNFINISHED_STATES, EntityType, InventoryObject, VCenter, VSphereTask

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass
class Page:
    total: int
    rows: list[VSphereTask]


def recent_window_seconds() -> int:
    """How far back "recent" reaches (vCenter keeps finished tasks in recentTask ~10 minutes)."""
    return int(getattr(settings, "VSPHERE_RECENT_TASK_SECONDS", 600))


def parse_reference(value: str) -> tuple[str, str]:
    """``VirtualMachine:vm-119`` → (type, moref); a bare ``vm-119`` gives an empty type."""
    value = (value or "").strip()
    if not value:
        raise InvalidParameter("reference", "must not be empty")
    kind, sep, moref = value.partition(":")
    if not sep:
        return "", kind
    if not moref or kind not in EntityType.values:
        raise InvalidParameter(
            "reference", f"{value!r} is not a reference like VirtualMachine:vm-119 "
                         f"(types: {', '.join(EntityType.values)})")
    return kind, moref


def resolve_reference(vcenter: VCenter, value: str, *, allowed: tuple[str, ...] = ()) -> InventoryObject:
    kind, moref = parse_reference(value)
    obj = InventoryObject.objects.filter(vcenter=vcenter, moref=moref).first()
    if obj is None or (kind and obj.type != kind):
        raise NotFound("Reference", value, message=f"reference {value!r} is not in this vCenter's inventory")
    if allowed and obj.type not in allowed:
        raise InvalidParameter("reference", f"must be one of {', '.join(allowed)}, got {obj.type}")
    return obj


def tasks_under(vcenter: VCenter, obj: InventoryObject) -> QuerySet[VSphereTask]:
    """Tasks of ``obj`` and of everything under it (VMs on a host, in a datacenter, on a datastore…)."""
    base = VSphereTask.objects.filter(vcenter=vcenter)
    if obj.type == EntityType.DATACENTER:
        return base.filter(datacenter=obj.moref)
    if obj.type == EntityType.HOST:
        return base.filter(host=obj.moref)
    condition = Q(entity_path__startswith=obj.path) | Q(entity_moref=obj.moref)
    if obj.type == EntityType.DATASTORE:
        vms = InventoryObject.objects.filter(vcenter=vcenter, type=EntityType.VM,
                                             datastores__contains=f"/{obj.moref}/").values("moref")
        condition |= Q(entity_moref__in=vms)
    elif obj.type in (EntityType.CLUSTER, EntityType.COMPUTE_RESOURCE):
        hosts = InventoryObject.objects.filter(vcenter=vcenter, type=EntityType.HOST,
                                               path__startswith=obj.path).values("moref")
        condition |= Q(host__in=hosts)
    return base.filter(condition)


def filter_name(queryset: QuerySet[VSphereTask], text: str) -> QuerySet[VSphereTask]:
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(Q(name__icontains=text) | Q(name_en__icontains=text) | Q(target__icontains=text)
                           | Q(entity__icontains=text) | Q(user__icontains=text))


def newest_first(queryset: QuerySet[VSphereTask]) -> QuerySet[VSphereTask]:
    return queryset.order_by("-create_time", "-id")


def page(queryset: QuerySet[VSphereTask], page_num: int, page_size: int) -> Page:
    """``page_num`` is 0-based; ``page_size`` 0 means the default (50), at most 1000."""
    size = page_size or DEFAULT_PAGE_SIZE
    start = page_num * size
    total, _estimated = row_counts.count(queryset)  # exact up to 10,000 tasks, PostgreSQL's estimate beyond
    return Page(total, list(newest_first(queryset)[start:start + size]))


def recent(vcenter: VCenter, *, datacenter: InventoryObject | None = None) -> QuerySet[VSphereTask]:
    """Tasks queued in the recent window, and tasks still running whatever their age."""
    since = int(time.time()) - recent_window_seconds()
    queryset = VSphereTask.objects.filter(vcenter=vcenter).filter(
        Q(create_time__gte=since) | Q(status__in=UNFINISHED_STATES))
    if datacenter is not None:
        queryset = queryset.filter(datacenter=datacenter.moref)
    return queryset
