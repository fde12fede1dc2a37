"""What the approvals inbox and the execution page show under a step waiting for a person:
the steps an approval lets run (``services.approvals.preview``), with the VM ids they
name resolved to VM names from the tenant's synced inventory."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from orchestration.models import TaskExecution
from orchestration.services import approvals
from vsphere.models import EntityType, InventoryObject
from vsphere.read_operations import tenant_vcenters

VM_ID = re.compile(r"\bvm-\d+\b")


def _vm_names(tenant_id: int, text: str) -> dict[str, str]:
    ids = set(VM_ID.findall(text))
    if not ids:
        return {}
    rows = InventoryObject.objects.filter(vcenter__in=tenant_vcenters(tenant_id, {}), type=EntityType.VM,
                                          moref__in=ids).values_list("moref", "name")
    return dict(rows)


def _shown(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def attach(tes: Iterable[TaskExecution]) -> None:
    """Give each waiting task execution ``.preview``: the steps, their properties as JSON
    text, their loop items, and ``vms`` (id, name) for every VM id they mention."""
    for te in tes:
        steps = approvals.preview(te)
        text = " ".join(_shown(s.properties) + _shown(s.items) for s in steps)
        names = _vm_names(te.execution.tenant_id, text)
        te.preview = [
            {"step": s, "properties": _shown(s.properties),
             "vms": [(vm_id, names.get(vm_id, "")) for vm_id in dict.fromkeys(VM_ID.findall(
                 _shown(s.properties) + _shown(s.items)))]}
            for s in steps
        ]
