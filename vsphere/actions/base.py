"""The base of the VM actions: the VM selection every one accepts, and the submit-then-poll
behaviour they share (never a blocking wait).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.conf import settings

from orchestration.actions.base import Action
from orchestration.engine import results
from vsphere.models import VCenter
from vsphere.read_operations import select_vms
from vsphere.services import vm_operations, vm_refresh
from vsphere.services.faults import VSphereError

TARGET_PROPERTIES: dict[str, Any] = {
    "VMIds": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1000,
              "description": "Managed object ids (vm-123) or instance UUIDs of the VMs."},
    "VMNames": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1000,
                "description": "Exact VM names."},
    "NamePattern": {"type": "string", "minLength": 1, "description": "Shell-style pattern on VM names, e.g. web-*."},
    "Folder": {"type": "string", "minLength": 1, "description": "Inventory folder path; VMs directly inside it."},
    "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}},
            "required": ["Key"], "additionalProperties": False,
            "description": "A vSphere tag (category Key, tag Value)."},
    "VCenterId": {"type": "string", "description": "Restrict to one vCenter (its uuid)."},
    "RegionId": {"type": "string", "description": "Restrict to the vCenters of one region."},
}
TARGET_KEYS = ("VMIds", "VMNames", "NamePattern", "Folder", "Tag")


def vm_schema(
    extra: dict[str, Any] | None = None,
    required: tuple[str, ...] = (),
    need_one_of: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Target-selection properties plus ``extra``; at least one target key is required."""
    props = copy.deepcopy(TARGET_PROPERTIES)
    props.update(extra or {})
    schema: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "anyOf": [{"required": [k]} for k in TARGET_KEYS],
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    if need_one_of:
        schema["allOf"] = [{"anyOf": [{"required": [k]} for k in need_one_of]}]
    return schema


class VSphereAction(Action):
    """Base of the VM actions: resolve the selection, submit one vSphere operation per VM,
    then poll them on engine wake-ups (never a blocking wait) until every one is done.

    The per-VM handles (vSphere task morefs) live in the task execution's action state,
    so they are visible on the task execution and survive a worker restart.
    """

    type = "Product.VSphere"
    service = "VSphere"
    template_version = "v1"
    synchronous = False

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        return ["vsphere:DescribeVMs", *cls.permissions]

    # -- behaviour --

    def submit(self, vcenter, vm, properties: dict[str, Any]) -> list:
        """Start this action's operation(s) on one VM; returns OperationHandles."""
        raise NotImplementedError

    def targets(self, ctx, include_templates: bool = False) -> list:
        return select_vms(ctx.execution.tenant_id, ctx.properties, include_templates=include_templates)

    def start(self, ctx):
        r = results
        try:
            vms = self.targets(ctx)
        except VSphereError as exc:
            return r.Failed(str(exc), retryable=False)
        if not vms:
            return r.Failed("No VM in the synced inventory matches the selection.", retryable=False)
        ops = []
        for vm in vms:
            entry = {"VMId": vm.moref, "Name": vm.name, "VCenterId": vm.vcenter.vsphere_uuid}
            try:
                for handle in self.submit(vm.vcenter, vm, ctx.properties):
                    ops.append({**entry, "Handle": handle.to_dict(), "TaskId": handle.task, "State": "running",
                                "Progress": 0})
            except VSphereError as exc:
                ops.append({**entry, "State": "error", "Error": str(exc)})
        ctx.state["ops"] = ops
        ctx.state["polls"] = 0
        submitted = [op["TaskId"] or op["VMId"] for op in ops if op["State"] == "running"]
        ctx.log(f"{self.api} submitted for {len(submitted)} of {len(vms)} VM(s): {', '.join(submitted)}.")
        return self.poll(ctx) if submitted else self.outcome(ctx)

    def poll(self, ctx):
        for op in ctx.state.get("ops", []):
            if op["State"] != "running":
                continue
            try:
                result = vm_operations.poll(op["Handle"])
            except VSphereError as exc:  # the connection, not the task: look again, for a while
                self.unreachable(ctx, op, str(exc))
                continue
            op.pop("UnreachableSince", None)
            op["State"], op["Progress"] = result.state, result.progress
            if result.state == "success":
                op["Result"] = result.result
                vm_refresh.refresh_vm(op["Handle"]["vcenter_id"], op["VMId"])  # the console shows it now
                self.after_success(ctx, op)
            elif result.state == "error":
                op["Error"] = result.error
                self.after_error(ctx, op)
        if any(op["State"] == "running" for op in ctx.state.get("ops", [])):
            ctx.state["polls"] = ctx.state.get("polls", 0) + 1
            delay = min(5.0, 0.5 * (1 + ctx.state["polls"]))
            return results.Wait(until=ctx.now + dt.timedelta(seconds=delay), reason=self.progress_text(ctx))
        return self.outcome(ctx)

    def unreachable(self, ctx, op: dict[str, Any], reason: str) -> None:
        """The vCenter did not answer a poll: keep polling until it has been silent for
        ``VSPHERE_UNREACHABLE_SECONDS``, then fail the operation (the task's Retries
        decide what follows), so a vCenter that stays down never leaves a task Running."""
        op["LastPollError"] = reason
        since = dt.datetime.fromisoformat(op.setdefault("UnreachableSince", ctx.now.isoformat()))
        limit = float(getattr(settings, "VSPHERE_UNREACHABLE_SECONDS", 120))
        if (ctx.now - since).total_seconds() >= limit:
            op.update(State="error", Error=f"the vCenter did not answer for {int(limit)} s ({reason}); "
                                           "the operation's outcome is unknown")

    def after_error(self, ctx, op: dict[str, Any]) -> None:
        """Hook for a follow-up after an operation failed (guest shutdown → power off)."""

    def after_success(self, ctx, op: dict[str, Any]) -> None:
        """Hook for a second operation after the first succeeded (power off → destroy)."""

    def follow_with(self, ctx, op: dict[str, Any], submit) -> None:
        """Replace ``op``'s finished operation with the next one, ``submit(vcenter)``."""
        vcenter = VCenter.objects.get(pk=op["Handle"]["vcenter_id"])
        try:
            handle = submit(vcenter)
        except VSphereError as exc:
            op.update(State="error", Error=str(exc))
            return
        op.update(Handle=handle.to_dict(), TaskId=handle.task, State="running", Progress=0)

    def progress_text(self, ctx) -> str:
        ops = ctx.state.get("ops", [])
        done = sum(1 for op in ops if op["State"] != "running")
        return f"{self.api}: {done} of {len(ops)} VM operation(s) finished."

    def outcome(self, ctx):
        r = results
        ops = ctx.state.get("ops", [])
        rows = [{k: op.get(k) for k in ("VMId", "Name", "VCenterId", "TaskId", "State", "Result", "Error")}
                for op in ops]
        failed = [op for op in ops if op["State"] == "error"]
        if failed:
            reasons = "; ".join(f"{op['Name']} ({op['VMId']}): {op.get('Error', 'failed')}" for op in failed)
            return r.Failed(f"{len(failed)} of {len(ops)} VM operation(s) failed: {reasons}")
        return r.Done({"VMs": rows, "TaskIds": [op["TaskId"] for op in ops if op.get("TaskId")]})

    def cancel(self, ctx):
        for op in ctx.state.get("ops", []):
            if op["State"] == "running" and op.get("TaskId"):
                try:
                    cancelled, why = vm_operations.cancel(op["Handle"])
                except VSphereError as exc:
                    cancelled, why = False, str(exc)
                ctx.log(f"Cancel {op['TaskId']}: " + ("cancelled." if cancelled else f"not cancelled ({why})."))



def submit_with(name: str, *extra_args: str):
    """A ``submit`` calling ``vm_operations.<name>(vcenter, moref)``."""

    def submit(self, vcenter, vm, properties):
        return [getattr(vm_operations, name)(vcenter, vm.moref)]

    return submit
