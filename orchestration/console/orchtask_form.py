"""The OrchTask form: name, remark, region, task type, ordered steps of VMs, Condition.

Like every console form it only shapes browser input; every rule (names, delays,
orders, one step per VM, the VMs being in the synced inventory, the Condition keys)
is :mod:`orchestration.services.orchtasks`'s. A refusal names its place (``Steps.1
(order 2)``, ``Steps (order 2)``, ``Condition.PowerState``…); :meth:`Draft.add_service_error`
puts it beside the step or field it names, else above the form.

Steps are added and removed with submit buttons (the form posts back to itself), so
the page works with the keyboard and without JavaScript; htmx only swaps the form in place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from orchestration.console import phrases
from orchestration.errors import ServiceError
from orchestration.models import OrchTask

FIELDS = {
    "Name": "name",
    "Remark": "remark",
    "Region": "region",
    "TaskType": "task_type",
    "ResourceType": "resource_type",
    "Condition": "condition",
}
STEP_INDEX = re.compile(r"^Steps\.(\d+)\b")
STEP_ORDER = re.compile(r"^Steps \(order (\d+)\)")
MAX_FORM_STEPS = 100


def _number(text: str) -> int | str:
    """An integer when the box holds one; otherwise the text, for the service to refuse by name."""
    text = (text or "").strip()
    try:
        return int(text)
    except ValueError:
        return text


@dataclass
class StepDraft:
    order: int | str
    delay: int | str = 0
    vms: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Draft:
    name: str = ""
    remark: str = ""
    region: str = ""
    task_type: str = ""
    resource_type: str = "VM"
    condition: str = ""
    steps: list[StepDraft] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def blank(cls, region: str = "", task_type: str = "") -> Draft:
        return cls(region=region, task_type=task_type, steps=[StepDraft(order=1)])

    @classmethod
    def from_task(cls, task: OrchTask) -> Draft:
        return cls(
            name=task.name, remark=task.remark, region=task.region_id, task_type=task.task_type,
            resource_type=task.resource_type, condition=task.condition,
            steps=[StepDraft(order=s.order, delay=s.delay, vms=list(s.resource_ids)) for s in task.steps.all()],
        )

    @classmethod
    def from_post(cls, data: QueryDict, task: OrchTask | None = None) -> Draft:
        count = _number(data.get("step_count", "0"))
        count = min(count, MAX_FORM_STEPS) if isinstance(count, int) and count > 0 else 0
        steps = [
            StepDraft(
                order=_number(data.get(f"step-{i}-order", "")),
                delay=_number(data.get(f"step-{i}-delay", "0") or "0"),
                vms=[v for v in data.getlist(f"step-{i}-vms") if v],
            )
            for i in range(count)
        ]
        draft = cls(
            name=data.get("name", ""), remark=data.get("remark", ""), condition=data.get("condition", "").strip(),
            region=data.get("region", ""), task_type=data.get("task_type", ""),
            resource_type=data.get("resource_type", "VM"), steps=steps,
        )
        if task is not None:  # the service keeps these of a saved task
            draft.region, draft.task_type, draft.resource_type = task.region_id, task.task_type, task.resource_type
        return draft

    # ------------------------------------------------------------------ editing the steps

    def add_step(self) -> None:
        orders = [s.order for s in self.steps if isinstance(s.order, int)]
        self.steps.append(StepDraft(order=max(orders, default=0) + 1))

    def remove_step(self, index: int) -> None:
        if 0 <= index < len(self.steps):
            del self.steps[index]

    # ------------------------------------------------------------------ to and from the service

    def raw_steps(self) -> list[dict[str, Any]]:
        """The steps as the service parses them (``order``, ``delay``, ``resourceIDs``), in form order."""
        return [{"order": s.order, "delay": s.delay, "resourceIDs": ",".join(s.vms)} for s in self.steps]

    def add_service_error(self, exc: ServiceError) -> None:
        """Show the refusal at the step (or field) its place names; otherwise above the form."""
        place, message = exc.place or "", phrases.translate(exc.message)
        found = STEP_INDEX.match(place)
        if found and int(found.group(1)) < len(self.steps):
            self.steps[int(found.group(1))].errors.append(message)
            return
        found = STEP_ORDER.match(place)
        if found:
            step = next((s for s in self.steps if s.order == int(found.group(1))), None)
            if step is not None:
                step.errors.append(message)
                return
        key = "steps" if place == "Steps" else FIELDS.get(place.split(".", 1)[0], "")
        self.errors.setdefault(key, []).append(message)

    def chosen(self) -> set[str]:
        return {vm for s in self.steps for vm in s.vms}
