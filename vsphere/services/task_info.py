"""TaskInfo → the task-list API's JSON (``Key``, ``Task: {Type, Value}``, …) and row values.

Field names are the vSphere API's, capitalised as in the task-list API; morefs become
``{"Type", "Value"}`` and datetimes RFC 3339 UTC strings with ``Z``; times in the row
columns are epoch seconds.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pyVmomi import VmomiSupport, vim, vmodl

from .faults import localized_fault_message

SEED_DEFAULTS: dict[str, Any] = {
    "Key": "", "Task": None, "Description": None, "Name": "", "DescriptionId": "", "Entity": None,
    "EntityName": "", "Locked": None, "State": "", "Cancelled": False, "Cancelable": False, "Error": None,
    "Result": None, "Progress": 0, "Reason": None, "QueueTime": None, "StartTime": None, "CompleteTime": None,
    "EventChainId": 0, "ChangeTag": "", "ParentTaskKey": "", "RootTaskKey": "", "ActivationId": "",
}


def ref(obj) -> dict[str, str] | None:
    if obj is None:
        return None
    return {"Type": type(obj).__name__.rsplit(".", 1)[-1], "Value": obj._moId}


def iso(value: datetime | None) -> str | None:
    """``2021-08-30T11:41:27.796230Z`` (always six fraction digits)."""
    if value is None:
        return None
    # isoformat is C; strftime was the costliest part of a task's conversion.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def epoch(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def method_name(value: Any) -> str:
    """TaskInfo.name arrives as a pyVmomi method object (``PowerOffVM_Task``), or a string."""
    if value is None or isinstance(value, str):
        return value or ""
    return getattr(value, "wsdlName", None) or getattr(value, "name", None) or str(value)


def to_json(value: Any) -> Any:
    """Any pyVmomi value as JSON in the API's (capitalised) field names."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, VmomiSupport.ManagedObject):
        return ref(value)
    if isinstance(value, VmomiSupport.DataObject):
        out: dict[str, Any] = {}
        for prop in value._GetPropertyList():
            if prop.name in ("dynamicType", "dynamicProperty"):
                continue
            item = getattr(value, prop.name)
            if item is None or (isinstance(item, list) and not item):
                continue
            out[prop.name[:1].upper() + prop.name[1:]] = to_json(item)
        if isinstance(value, vmodl.MethodFault):
            out = {"FaultType": type(value).__name__, **out}
        return out
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, type):
        return value.__name__
    if "ManagedMethod" in type(value).__name__:
        return method_name(value)
    return str(value)


# TaskInfo properties the hand-written converter below knows; any other property set on
# a TaskInfo (a newer pyVmomi, a subclass) sends that TaskInfo through the generic walk.
_KNOWN_PROPERTIES = frozenset({
    "dynamicType", "dynamicProperty", "key", "task", "description", "name", "descriptionId", "entity",
    "entityName", "locked", "state", "cancelled", "cancelable", "error", "result", "progress", "progressDetails",
    "reason", "queueTime", "startTime", "completeTime", "eventChainId", "changeTag", "parentTaskKey",
    "rootTaskKey", "activationId",
})
_FAST = frozenset({vim.TaskInfo}) if {p.name for p in vim.TaskInfo._GetPropertyList()} <= _KNOWN_PROPERTIES \
    else frozenset()
_TaskReasonUser = vim.TaskReasonUser
_ManagedObject = VmomiSupport.ManagedObject


def seed_json(info) -> dict[str, Any]:
    """The raw TaskInfo as the task-list API shows it (every field present).

    Hand-written for the TaskInfo fields (the generic pyVmomi walk cost more than the
    rest of the sync together); the output is identical to ``seed_json_generic``.
    """
    if type(info) not in _FAST:
        return seed_json_generic(info)
    task, entity, locked, reason, result = info.task, info.entity, info.locked, info.reason, info.result
    description, chain = info.description, info.eventChainId
    data = {
        "Key": info.key if info.key is not None else "",
        "Task": {"Type": type(task).__name__.rsplit(".", 1)[-1], "Value": task._moId} if task is not None else None,
        "Description": to_json(description) if description is not None else None,
        "Name": method_name(info.name),
        "DescriptionId": info.descriptionId if info.descriptionId is not None else "",
        "Entity": ({"Type": type(entity).__name__.rsplit(".", 1)[-1], "Value": entity._moId}
                   if entity is not None else None),
        "EntityName": info.entityName if info.entityName is not None else "",
        "Locked": [to_json(item) for item in locked] if locked else None,
        "State": str(info.state),
        "Cancelled": info.cancelled if info.cancelled is not None else False,
        "Cancelable": info.cancelable if info.cancelable is not None else False,
        "Error": _error_json(info.error),
        "Result": (None if result is None else ref(result) if isinstance(result, _ManagedObject)
                   else to_json(result) if not (isinstance(result, list) and not result) else None),
        "Progress": info.progress or 0,
        "Reason": (None if reason is None else ({"UserName": reason.userName} if reason.userName is not None else {})
                   if type(reason) is _TaskReasonUser else to_json(reason)),
        "QueueTime": iso(info.queueTime),
        "StartTime": iso(info.startTime),
        "CompleteTime": iso(info.completeTime),
        "EventChainId": chain if chain is not None else 0,
        "ChangeTag": info.changeTag if info.changeTag is not None else "",
        "ParentTaskKey": info.parentTaskKey if info.parentTaskKey is not None else "",
        "RootTaskKey": info.rootTaskKey if info.rootTaskKey is not None else "",
        "ActivationId": info.activationId if info.activationId is not None else "",
    }
    if info.progressDetails:
        data["ProgressDetails"] = to_json(info.progressDetails)
    return data


def seed_json_generic(info) -> dict[str, Any]:
    """The same JSON by walking every pyVmomi property (reference and fallback of ``seed_json``)."""
    data = dict(SEED_DEFAULTS)
    data.update(to_json(info))
    data["Name"] = method_name(info.name)
    data["State"] = str(info.state)
    data["Progress"] = info.progress or 0
    data["Error"] = _error_json(info.error)
    return data


def _error_json(error) -> dict | None:
    if error is None:
        return None
    # pyVmomi unwraps LocalizedMethodFault into the MethodFault itself (message in ``msg``).
    fault = getattr(error, "fault", error)
    message = getattr(error, "localizedMessage", None) or getattr(fault, "msg", None) or ""
    return {"Fault": to_json(fault), "LocalizedMessage": message}


def fingerprint(info) -> str:
    """Changes whenever anything shown about the task changes (cheap: no JSON conversion)."""
    error = info.error
    raw = "|".join(str(part) for part in (
        info.state, info.progress, info.startTime, info.completeTime, info.cancelled, info.cancelable,
        info.entityName, getattr(error, "msg", None), type(error).__name__,
        getattr(info.description, "message", None), info.result._moId if hasattr(info.result, "_moId") else info.result,
        info.changeTag,
    ))
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def user_of(info) -> str:
    return getattr(info.reason, "userName", "") or ""


def row_values(info, names: tuple[str, str], fp: str | None = None) -> dict[str, Any]:
    """Column values of a VSphereTask row (location columns excluded); ``fp`` if already computed."""
    entity = info.entity
    entity_type = type(entity).__name__.rsplit(".", 1)[-1] if entity is not None else ""
    entity_moref = entity._moId if entity is not None else ""
    description = info.description
    return {
        "task_reference": f"Task:{info.task._moId}" if info.task is not None else f"Task:{info.key}",
        "name": names[0][:255],
        "name_en": names[1][:255],
        "method_name": method_name(info.name)[:128],
        "description_id": (info.descriptionId or "")[:255],
        "entity": f"{entity_type}:{entity_moref}" if entity is not None else "",
        "entity_type": entity_type,
        "entity_moref": entity_moref,
        "target": (info.entityName or "")[:255],
        "status": str(info.state),
        "progress": info.progress or 0,
        "detail": getattr(description, "message", "") or "",
        "user": user_of(info)[:255],
        "create_time": epoch(info.queueTime),
        "start_time": epoch(info.startTime),
        "finish_time": epoch(info.completeTime),
        "message": localized_fault_message(info.error),
        "cancelable": bool(info.cancelable),
        "cancelled": bool(info.cancelled),
        "parent_task_key": info.parentTaskKey or "",
        "root_task_key": info.rootTaskKey or "",
        "event_chain_id": info.eventChainId,
        "task": seed_json(info),
        "fingerprint": fp or fingerprint(info),
    }
