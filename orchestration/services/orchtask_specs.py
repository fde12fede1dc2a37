"""OrchTask steps and conditions: parsing, checking against the inventory, resolving.

A step is ``{"order", "delay", "resourceIDs"}`` (the UCloud-style API sends each as a JSON string);
a ``Condition`` selects the VMs of a task that lists no steps (see :mod:`.orchtasks`).
Resources are checked against, and resolved in, the tenant's synced inventory of the
task's region.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from orchestration import request_limits
from orchestration.errors import InvalidParameter
from orchestration.models import OrchTask, Region, Tenant
from orchestration.models.orchtasks import MAX_DELAY

# OrchTasks operate VMs: their resources are rows of the vSphere inventory.
from vsphere.models import EntityType, InventoryObject
from vsphere.read_operations import tenant_vcenters
from vsphere.services.faults import VSphereError
from vsphere.services.vm_operations import resolve_targets

CONDITION_KEYS = ("NamePattern", "Folder", "PowerState", "Tag")
POWER_STATES = ("poweredOn", "poweredOff", "suspended")
MAX_STEPS = 100
MAX_RESOURCES = 1000


@dataclass
class StepSpec:
    order: int
    delay: int
    resource_ids: list[str]


def step_task_name(step: StepSpec) -> str:
    return f"Step{step.order}"


def parse_steps(raw: Sequence[Any] | None) -> list[StepSpec]:
    """``Steps`` as the UCloud-style API sends them: strings of JSON ``{"order", "delay", "resourceIDs"}``."""
    if raw is None:
        return []
    if isinstance(raw, str | dict):
        raw = [raw]
    if len(raw) > MAX_STEPS:
        raise InvalidParameter("Steps", f"at most {MAX_STEPS} steps, got {len(raw)}")
    steps: list[StepSpec] = []
    for index, item in enumerate(raw):
        place = f"Steps.{index}"
        if isinstance(item, str):
            try:
                item = request_limits.loads(item)
            except ValueError as exc:
                raise InvalidParameter(place, f"is not JSON ({exc.args[0]}); "
                                              'write {"order":1,"delay":0,"resourceIDs":"vm-1,vm-2"}') from None
        if not isinstance(item, dict):
            raise InvalidParameter(place, 'must be a JSON object such as {"order":1,"delay":0,"resourceIDs":"vm-1"}')
        unknown = sorted(set(item) - {"order", "delay", "resourceIDs"})
        if unknown:
            raise InvalidParameter(place, f"unknown field(s) {', '.join(unknown)}; a step has order, delay, "
                                          "resourceIDs")
        order, delay = item.get("order"), item.get("delay", 0)
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise InvalidParameter(place, f"order must be a positive integer, got {order!r}")
        place = f"Steps.{index} (order {order})"
        if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY:
            raise InvalidParameter(place, f"delay must be an integer from 0 to {MAX_DELAY} seconds, got {delay!r}")
        ids = item.get("resourceIDs", "")
        if isinstance(ids, str):
            ids = [part.strip() for part in ids.split(",") if part.strip()]
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise InvalidParameter(place, "resourceIDs must be a comma-separated string of resource ids")
        if not ids:
            raise InvalidParameter(place, "resourceIDs lists no resource; every step needs at least one")
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise InvalidParameter(place, f"resource {duplicates[0]} is listed twice in the step")
        steps.append(StepSpec(order=order, delay=delay, resource_ids=ids))
    seen_orders: dict[int, int] = {}
    seen_ids: dict[str, int] = {}
    for index, step in enumerate(steps):
        if step.order in seen_orders:
            raise InvalidParameter(f"Steps.{index} (order {step.order})",
                                   f"order {step.order} is used by Steps.{seen_orders[step.order]} too; "
                                   "orders must be unique")
        seen_orders[step.order] = index
        for rid in step.resource_ids:
            if rid in seen_ids:
                raise InvalidParameter(f"Steps.{index} (order {step.order})",
                                       f"resource {rid} is in step order {steps[seen_ids[rid]].order} already; "
                                       "a resource belongs to one step only")
            seen_ids[rid] = index
    if len(seen_ids) > MAX_RESOURCES:
        raise InvalidParameter("Steps", f"at most {MAX_RESOURCES} resources in all, got {len(seen_ids)}")
    return sorted(steps, key=lambda s: s.order)


def parse_condition(text: str | None) -> dict[str, Any]:
    if text in (None, ""):
        return {}
    try:
        condition = request_limits.loads(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise InvalidParameter("Condition", f"is not JSON ({exc.args[0]})") from None
    if not isinstance(condition, dict):
        raise InvalidParameter("Condition", "must be a JSON object with NamePattern, Folder, PowerState or Tag")
    unknown = sorted(set(condition) - set(CONDITION_KEYS))
    if unknown:
        raise InvalidParameter("Condition", f"unknown key(s) {', '.join(unknown)}; use {', '.join(CONDITION_KEYS)}")
    for key in ("NamePattern", "Folder"):
        if key in condition and (not isinstance(condition[key], str) or not condition[key]):
            raise InvalidParameter(f"Condition.{key}", "must be a non-empty string")
    if "PowerState" in condition and condition["PowerState"] not in POWER_STATES:
        raise InvalidParameter("Condition.PowerState", f"must be one of {', '.join(POWER_STATES)}")
    tag = condition.get("Tag")
    if tag is not None and (not isinstance(tag, dict) or not isinstance(tag.get("Key"), str) or not tag["Key"]
                            or set(tag) - {"Key", "Value"}):
        raise InvalidParameter("Condition.Tag", 'must be {"Key": "…"} or {"Key": "…", "Value": "…"}')
    return condition


def _vcenters(tenant: Tenant, region: Region):
    return tenant_vcenters(tenant.pk, {"RegionId": region.pk})


def inventory_rows(tenant: Tenant, region: Region, ids: Iterable[str]) -> dict[str, Any]:
    rows = InventoryObject.objects.filter(vcenter__in=_vcenters(tenant, region), moref__in=list(ids))
    return {row.moref: row for row in rows.order_by("vcenter_id")}


def check_resources(tenant: Tenant, region: Region, resource_type: str, steps: list[StepSpec]) -> None:
    """Every resource exists in the tenant's synced inventory of the region, is a VM, and is usable."""
    found = inventory_rows(tenant, region, [rid for step in steps for rid in step.resource_ids])
    for step in steps:
        place = f"Steps (order {step.order})"
        for rid in step.resource_ids:
            row = found.get(rid)
            if row is None:
                raise InvalidParameter(place, f"resource {rid} does not exist in the synced inventory of region "
                                              f"{region.pk}")
            if row.type != EntityType.VM:
                raise InvalidParameter(place, f"resource {rid} is a {row.type}, not a {resource_type}")
            if row.is_template:
                raise InvalidParameter(place, f"resource {rid} ({row.name}) is a VM template and cannot be operated")


def resolve_condition(task: OrchTask, condition: dict[str, Any] | None = None) -> list[str]:
    condition = parse_condition(task.condition) if condition is None else condition
    if not condition:
        return []
    selection = {k: condition[k] for k in ("NamePattern", "Folder", "Tag") if k in condition}
    vcenters = _vcenters(task.tenant, task.region)
    try:
        if selection:
            rows = resolve_targets(vcenters, name_pattern=selection.get("NamePattern"),
                                   folder=selection.get("Folder"), tag=selection.get("Tag"))
        else:
            rows = list(InventoryObject.objects.filter(vcenter__in=vcenters, type=EntityType.VM, is_template=False)
                        .order_by("vcenter_id", "name"))
    except VSphereError as exc:
        raise InvalidParameter("Condition", str(exc)) from None
    if "PowerState" in condition:
        rows = [row for row in rows if row.power_state == condition["PowerState"]]
    return list(dict.fromkeys(row.moref for row in rows))


def effective_steps(task: OrchTask) -> list[StepSpec]:
    """The stored steps, or one step of the resources the Condition selects now."""
    steps = [StepSpec(s.order, s.delay, list(s.resource_ids)) for s in task.steps.all()]
    if steps:
        return sorted(steps, key=lambda s: s.order)
    ids = resolve_condition(task)
    return [StepSpec(order=1, delay=0, resource_ids=ids)] if ids else []
