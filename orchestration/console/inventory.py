"""The synced vSphere inventory as a tree to browse: datacenter → cluster → host → VM.

Built from one query of :class:`vsphere.models.InventoryObject` rows (already scoped by
the caller): datacenters by their ``datacenter`` column, clusters and standalone hosts
(a ``ComputeResource`` shows as its one host) by ``datacenter``, hosts by ``parent``,
and VMs by their ``host`` column. Folders are not levels of their own: ``name_path``
shows where an object sits. A search keeps the branches leading to a matching name and
everything under a match.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from vsphere.models import EntityType, InventoryObject, VCenter

TREE_TYPES = (
    EntityType.DATACENTER,
    EntityType.CLUSTER,
    EntityType.COMPUTE_RESOURCE,
    EntityType.HOST,
    EntityType.VM,
)
# Trees with at most this many VMs open fully; larger ones open to the clusters.
OPEN_UP_TO = 50
# More VMs than this in one answer and the page asks for a search instead.
MAX_OBJECTS = 5000


@dataclass
class Branch:
    obj: InventoryObject
    children: list[Branch] = field(default_factory=list)
    match: bool = False

    @property
    def vm_count(self) -> int:
        if self.obj.type == EntityType.VM:
            return 1
        return sum(child.vm_count for child in self.children)


@dataclass
class VCenterTree:
    vcenter: VCenter
    datacenters: list[Branch]
    unplaced: list[Branch] = field(default_factory=list)  # VMs with no host (orphaned, templates)

    @property
    def vm_count(self) -> int:
        return sum(b.vm_count for b in self.datacenters) + len(self.unplaced)

    @property
    def compact(self) -> bool:
        """Small enough to show fully opened (hosts with their VMs)."""
        return self.vm_count <= OPEN_UP_TO


def _keep(branch: Branch, needle: str) -> Branch | None:
    """``branch`` pruned to what matches ``needle`` (whole subtrees under a matching name)."""
    if needle in branch.obj.name.lower():
        branch.match = True
        return branch
    kept = [b for b in (_keep(child, needle) for child in branch.children) if b is not None]
    if not kept:
        return None
    branch.children = kept
    return branch


def build(
    objects: QuerySet[InventoryObject], vcenters: list[VCenter], query: str = ""
) -> tuple[list[VCenterTree], bool]:
    """The trees of ``vcenters`` from ``objects``; the flag says the answer was cut at MAX_OBJECTS."""
    rows = list(
        objects.filter(type__in=TREE_TYPES, vcenter__in=vcenters).order_by("vcenter_id", "name", "moref")[
            : MAX_OBJECTS + 1
        ]
    )
    truncated = len(rows) > MAX_OBJECTS
    rows = rows[:MAX_OBJECTS]
    by_type: dict[tuple[int, str], list[InventoryObject]] = defaultdict(list)
    for row in rows:
        by_type[(row.vcenter_id, row.type)].append(row)

    trees = []
    needle = query.strip().lower()
    for vcenter in vcenters:
        vms_by_host: dict[str, list[Branch]] = defaultdict(list)
        unplaced = []
        for vm in by_type[(vcenter.pk, EntityType.VM)]:
            (vms_by_host[vm.host] if vm.host else unplaced).append(Branch(vm))
        hosts_by_parent: dict[str, list[Branch]] = defaultdict(list)
        for host in by_type[(vcenter.pk, EntityType.HOST)]:
            hosts_by_parent[host.parent].append(Branch(host, vms_by_host.pop(host.moref, [])))
        compute_by_dc: dict[str, list[Branch]] = defaultdict(list)
        for cluster in by_type[(vcenter.pk, EntityType.CLUSTER)]:
            compute_by_dc[cluster.datacenter].append(Branch(cluster, hosts_by_parent.pop(cluster.moref, [])))
        for standalone in by_type[(vcenter.pk, EntityType.COMPUTE_RESOURCE)]:
            # A standalone host's ComputeResource adds nothing to read: show its host(s).
            compute_by_dc[standalone.datacenter].extend(hosts_by_parent.pop(standalone.moref, []))
        datacenters = [
            Branch(dc, sorted(compute_by_dc.pop(dc.moref, []), key=lambda b: (b.obj.type != EntityType.CLUSTER,
                                                                             b.obj.name)))
            for dc in by_type[(vcenter.pk, EntityType.DATACENTER)]
        ]
        # VMs whose host was not synced (yet) still show, not silently dropped.
        for leftovers in vms_by_host.values():
            unplaced.extend(leftovers)
        if needle:
            datacenters = [b for b in (_keep(dc, needle) for dc in datacenters) if b is not None]
            unplaced = [b for b in (_keep(vm, needle) for vm in unplaced) if b is not None]
            if not datacenters and not unplaced:
                continue
        trees.append(VCenterTree(vcenter, datacenters, unplaced))
    return trees, truncated
