"""The task types an OrchTask can have: one registry, read by every face.

Each type runs one action of the catalog on every resource of a step, steps in order.
``StartInOrder`` and ``StopInOrder`` are UCloudStack's own; the others come from the
vSphere actions. ``properties`` are the action properties besides the VM selection;
``{TaskID}`` in a value is replaced by the task's id.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestration.errors import InvalidParameter

VM = "VM"


@dataclass(frozen=True)
class OrchTaskType:
    task_type: str
    name: str  # DescribeOrchTaskType's TaskName
    action: str
    resource_types: tuple[str, ...] = (VM,)
    properties: dict[str, Any] = field(default_factory=dict)

    def action_properties(self, task_id: str) -> dict[str, Any]:
        return {k: v.replace("{TaskID}", task_id) if isinstance(v, str) else v for k, v in self.properties.items()}


TASK_TYPES: dict[str, OrchTaskType] = {
    t.task_type: t
    for t in (
        OrchTaskType("StartInOrder", "Start VMs in order", "ACS::VSphere::StartVM"),
        OrchTaskType("StopInOrder", "Stop VMs in order", "ACS::VSphere::StopVM"),
        OrchTaskType("RebootInOrder", "Reboot VM guests in order", "ACS::VSphere::RebootVMGuest"),
        OrchTaskType("ShutdownInOrder", "Shut VM guests down in order", "ACS::VSphere::ShutdownVMGuest"),
        OrchTaskType("ResetInOrder", "Reset VMs in order", "ACS::VSphere::ResetVM"),
        OrchTaskType("SuspendInOrder", "Suspend VMs in order", "ACS::VSphere::SuspendVM"),
        OrchTaskType("SnapshotInOrder", "Snapshot VMs in order", "ACS::VSphere::CreateVMSnapshot",
                     properties={"SnapshotName": "{TaskID}", "Description": "Taken by orchestration task {TaskID}"}),
        OrchTaskType("RevertInOrder", "Revert VMs to their current snapshot in order",
                     "ACS::VSphere::RevertVMSnapshot"),
    )
}


def get_task_type(task_type: str, resource_type: str | None = None) -> OrchTaskType:
    found = TASK_TYPES.get(task_type)
    if found is None:
        raise InvalidParameter("TaskType", f"unknown task type {task_type!r}; one of {', '.join(TASK_TYPES)}")
    if resource_type is not None and resource_type not in found.resource_types:
        raise InvalidParameter(
            "ResourceType",
            f"task type {task_type} acts on {', '.join(found.resource_types)}, not {resource_type!r}",
        )
    return found
