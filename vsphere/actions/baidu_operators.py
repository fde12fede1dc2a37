"""Baidu OOS operators, registered so converted Baidu templates validate.

Baidu templates name operators such as ``BCE::BCC::StopInstance`` with properties
``instances: [{instanceId}]``. The converter keeps the operator name (so the round trip
is lossless) and these entries give it a schema, risk and permissions. The engine treats
``instanceId`` as a VM id and runs them like the matching ``ACS::VSphere::*`` action.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from orchestration.actions.base import Action
from orchestration.actions.registry import register
from vsphere.actions.vm import RebootVMGuest, StartVM, StopVM, VSphereAction

_INSTANCES_SCHEMA = {
    "type": "object",
    "properties": {
        "instanceId": {"description": "A single instance id (or a {Ref: name} reference)."},
        "instances": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {"instanceId": {"type": "string"}},
                "required": ["instanceId"],
            },
        },
    },
    "anyOf": [{"required": ["instances"]}, {"required": ["instanceId"]}],
}


class BaiduBCCAction(Action):
    """Runs as its vSphere counterpart, with Baidu's instance ids taken as VM ids (morefs or UUIDs)."""

    type = "Atomic.API"
    service = "BCC"
    properties_schema = _INSTANCES_SCHEMA
    synchronous = False
    runs_as: ClassVar[type[VSphereAction]]

    @staticmethod
    def vm_ids(properties: dict[str, Any]) -> list[str]:
        ids = [item["instanceId"] for item in properties.get("instances") or []]
        if properties.get("instanceId"):
            ids.append(properties["instanceId"])
        return [str(i) for i in dict.fromkeys(ids)]

    def _as_vsphere(self, ctx):
        return self.runs_as(), dataclasses.replace(ctx, properties={"VMIds": self.vm_ids(ctx.properties)})

    def start(self, ctx):
        action, translated = self._as_vsphere(ctx)
        return action.start(translated)

    def poll(self, ctx):
        action, translated = self._as_vsphere(ctx)
        return action.poll(translated)

    def cancel(self, ctx):
        action, translated = self._as_vsphere(ctx)
        return action.cancel(translated)


@register
class BCCStopInstance(BaiduBCCAction):
    name = "BCE::BCC::StopInstance"
    description = "Baidu-compatible: stop (power off) instances; runs as ACS::VSphere::StopVM."
    api = "StopInstance"
    risk = "High"
    permissions = ("vsphere:DescribeVMs", "vsphere:PowerOffVM")
    runs_as = StopVM


@register
class BCCStartInstance(BaiduBCCAction):
    name = "BCE::BCC::StartInstance"
    description = "Baidu-compatible: start instances; runs as ACS::VSphere::StartVM."
    api = "StartInstance"
    risk = "Low"
    permissions = ("vsphere:DescribeVMs", "vsphere:PowerOnVM")
    runs_as = StartVM


@register
class BCCRebootInstance(BaiduBCCAction):
    name = "BCE::BCC::RebootInstance"
    description = "Baidu-compatible: reboot instances; runs as ACS::VSphere::RebootVMGuest."
    api = "RebootInstance"
    risk = "Medium"
    permissions = ("vsphere:DescribeVMs", "vsphere:RebootGuest")
    runs_as = RebootVMGuest
