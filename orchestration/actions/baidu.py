"""Baidu OOS operators (seed 002) registered so converted Baidu templates validate.

Baidu templates name operators such as ``BCE::BCC::StopInstance`` with properties
``instances: [{instanceId}]``. The converter keeps the operator name (so the round trip
is lossless) and these entries give it a schema, risk and permissions. The engine treats
``instanceId`` as a VM id and runs them like the matching ``ACS::VSphere::*`` action.
"""

from __future__ import annotations

from .base import Action
from .registry import register

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
    type = "Atomic.API"
    service = "BCC"
    properties_schema = _INSTANCES_SCHEMA


@register
class BCCStopInstance(BaiduBCCAction):
    name = "BCE::BCC::StopInstance"
    description = "Baidu-compatible: stop (power off) instances; runs as ACS::VSphere::StopVM."
    api = "StopInstance"
    risk = "High"
    permissions = ("vsphere:DescribeVMs", "vsphere:PowerOffVM")


@register
class BCCStartInstance(BaiduBCCAction):
    name = "BCE::BCC::StartInstance"
    description = "Baidu-compatible: start instances; runs as ACS::VSphere::StartVM."
    api = "StartInstance"
    risk = "Low"
    permissions = ("vsphere:DescribeVMs", "vsphere:PowerOnVM")


@register
class BCCRebootInstance(BaiduBCCAction):
    name = "BCE::BCC::RebootInstance"
    description = "Baidu-compatible: reboot instances; runs as ACS::VSphere::RebootVMGuest."
    api = "RebootInstance"
    risk = "Medium"
    permissions = ("vsphere:DescribeVMs", "vsphere:RebootGuest")
