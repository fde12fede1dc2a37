"""What Alibaba Cloud's own templates use that a vSphere product cannot have.

OOS names product actions ``ACS::<Product>::<Operation>`` (``ACS::ECS::RunCommand``) and
has a few functions and pseudo-parameters tied to its cloud (``Fn::FindMatchedPackage``
looks up OOS packages for ECS, ``ACS::OOSUtilVersion`` is the ECS agent's version).
They stay unknown here, but the validator says *why*, and names the vSphere action that
does the same job when the catalog has one — so a user porting a runbook knows what to
change. Every message contains :data:`CLOUD_MARK` so tools can tell these from language
problems.
"""

from __future__ import annotations

from collections.abc import Callable

CLOUD_MARK = "is an Alibaba Cloud"

# OOS's generic actions that belong to Alibaba Cloud services rather than to the language.
_CLOUD_GENERIC_ACTIONS = {
    "ACS::AlarmTrigger": "CloudMonitor",
    "ACS::GitCodeRepo": "CICD",
}

# ECS operation -> the vSphere action doing the same job. Named only if the catalog has it.
_VSPHERE_EQUIVALENTS = {
    "ACS::ECS::StartInstance": "ACS::VSphere::StartVM",
    "ACS::ECS::StopInstance": "ACS::VSphere::StopVM",
    "ACS::ECS::RebootInstance": "ACS::VSphere::RebootVMGuest",
    "ACS::ECS::DescribeInstances": "ACS::VSphere::DescribeVMs",
    "ACS::ECS::CreateSnapshot": "ACS::VSphere::CreateVMSnapshot",
    "ACS::ECS::DeleteSnapshot": "ACS::VSphere::RemoveVMSnapshot",
    "ACS::ECS::DeleteInstance": "ACS::VSphere::DestroyVM",
    "ACS::ECS::DeleteInstances": "ACS::VSphere::DestroyVM",
    "ACS::ECS::ModifyInstanceSpec": "ACS::VSphere::ReconfigureVM",
    "ACS::ECS::ChangeInstanceType": "ACS::VSphere::ReconfigureVM",
    "ACS::ECS::RunInstances": "ACS::VSphere::CloneVM",
    "ACS::ECS::RunCommand": "ACS::VSphere::RunCommand",
}

CLOUD_FUNCTIONS = {"Fn::FindMatchedPackage": "OOS package", "Fn::GetAtt": "ROS"}
CLOUD_PSEUDO_PARAMETERS = {"ACS::OOSUtilVersion": "ECS"}


def product_of(action: str) -> str | None:
    """The Alibaba Cloud product an action belongs to (``ECS``), or None for a language action."""
    if action in _CLOUD_GENERIC_ACTIONS:
        return _CLOUD_GENERIC_ACTIONS[action]
    parts = action.split("::")
    if len(parts) >= 3 and parts[0] == "ACS" and parts[1] and parts[1] != "VSphere":
        return parts[1]
    return None


def unknown_action_message(action: str, exists: Callable[[str], bool]) -> str:
    """Why ``action`` is refused; ``exists`` tells whether the catalog has an action name."""
    product = product_of(action)
    if product is None:
        return f"unknown action '{action}'"
    message = f"{action} {CLOUD_MARK} {product} action"
    equivalent = _VSPHERE_EQUIVALENTS.get(action) or _VSPHERE_EQUIVALENTS.get(action.rstrip("s"))
    if equivalent and exists(equivalent):
        return f"{message}; on vSphere use {equivalent}"
    return f"{message}, with no vSphere counterpart here"


def unknown_function_message(name: str) -> str:
    if name in CLOUD_FUNCTIONS:
        return f"{name} {CLOUD_MARK} {CLOUD_FUNCTIONS[name]} function, with no vSphere counterpart here"
    return f"unknown function {name}"


def unknown_pseudo_message(name: str) -> str | None:
    if name in CLOUD_PSEUDO_PARAMETERS:
        return f"{name} {CLOUD_MARK} {CLOUD_PSEUDO_PARAMETERS[name]} value, with no vSphere counterpart here"
    return None


def cloud_api_message(service: str, known: str) -> str:
    """Why an ``ACS::ExecuteAPI`` call to another cloud service's API (``Service: ECS``) is refused."""
    return (f"{service} {CLOUD_MARK} service: its APIs cannot be called from here; this service calls only "
            f"its own read operations ({known})")
