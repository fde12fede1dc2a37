"""Baidu OOS operator templates  <-> the internal OOS-2019-06-01 form.

Mapping (Baidu → internal), chosen so :func:`to_baidu` restores the original exactly:

* template ``name``/``type``/``ref``/``tags``/``linear``/``properties`` and any other
  template field → ``X-Baidu`` at the top (``Description`` ← ``description``);
  ``properties`` entries with a ``name`` also become ``Parameters`` so they validate.
* operator → task: ``name``→``Name``, ``operator``→``Action`` (kept verbatim; Baidu
  operators are catalog entries, see ``vsphere.actions.baidu_operators``),
  ``description``, ``properties``→``Properties`` (``{"Ref": x}`` is evaluated by the
  renderer), ``retries``→``Retries``, ``retryInterval`` ms→``RetryInterval`` s,
  ``timeout`` ms→``Timeout`` s, ``manually``→``Manually``, ``scheduleDelayMilli``
  ms→``ScheduleDelay`` s, ``pauseOnFailure``→``PauseOnFailure``; every other operator
  field (``initContext``, …) → the task's ``X-Baidu``.
* ``links: [{src, dst}]`` → ``Next: [dst, …]`` on the src task (a non-linear template
  runs as a DAG). Links come back grouped by source task in task order; Baidu treats
  links as a set, so that is the only ordering not preserved.
"""

from __future__ import annotations

import copy
from typing import Any

from .model import FORMAT_VERSION

_OPERATOR_FIELDS = {
    "name": "Name",
    "operator": "Action",
    "description": "Description",
    "properties": "Properties",
    "retries": "Retries",
    "manually": "Manually",
    "pauseOnFailure": "PauseOnFailure",
}
_MS_FIELDS = {"retryInterval": "RetryInterval", "timeout": "Timeout", "scheduleDelayMilli": "ScheduleDelay"}
_BAIDU_TYPES = {"string": "String", "number": "Number", "int": "Number", "integer": "Number",
                "bool": "Boolean", "boolean": "Boolean", "list": "List", "array": "List",
                "json": "Json", "object": "Json", "map": "Json"}


def _seconds(ms: Any) -> Any:
    if isinstance(ms, (int, float)) and not isinstance(ms, bool):
        seconds = ms / 1000
        return int(seconds) if float(seconds).is_integer() else seconds
    return ms


def _millis(seconds: Any) -> Any:
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        return int(round(seconds * 1000))
    return seconds


def from_baidu(template: dict[str, Any]) -> dict[str, Any]:
    """The internal OOS-2019-06-01 dict for a Baidu template (``{name, linear, operators, links, …}``)."""
    src = copy.deepcopy(template)
    operators = src.pop("operators", []) or []
    links = src.pop("links", []) or []
    out: dict[str, Any] = {"FormatVersion": FORMAT_VERSION}
    if "description" in src:
        out["Description"] = src.pop("description")
    params: dict[str, Any] = {}
    for prop in src.get("properties") or []:
        if isinstance(prop, dict) and isinstance(prop.get("name"), str):
            spec: dict[str, Any] = {"Type": _BAIDU_TYPES.get(str(prop.get("type", "string")).lower(), "String")}
            if "defaultValue" in prop:
                spec["Default"] = prop["defaultValue"]
            if "description" in prop:
                spec["Description"] = prop["description"]
            params[prop["name"]] = spec
    if params:
        out["Parameters"] = params
    tasks = []
    by_name: dict[str, dict[str, Any]] = {}
    for op in operators:
        task: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in op.items():
            if key in _OPERATOR_FIELDS:
                task[_OPERATOR_FIELDS[key]] = value
            elif key in _MS_FIELDS:
                task[_MS_FIELDS[key]] = _seconds(value)
            else:
                extra[key] = value
        task.setdefault("Properties", {})
        if "properties" not in op:
            extra["_noProperties"] = True
        if extra:
            task["X-Baidu"] = extra
        tasks.append(task)
        if isinstance(task.get("Name"), str):
            by_name[task["Name"]] = task
    for link in links:
        if isinstance(link, dict) and link.get("src") in by_name:
            by_name[link["src"]].setdefault("Next", []).append(link.get("dst"))
    out["Tasks"] = tasks
    if src:
        out["X-Baidu"] = src
    return out


def to_baidu(internal: dict[str, Any]) -> dict[str, Any]:
    """The Baidu template for an internal dict (the inverse of :func:`from_baidu`).

    Works for any internal template: OOS-only task keys without a Baidu field (Loop,
    Outputs, OnError, When) are dropped, so only Baidu-born templates round-trip exactly.
    """
    data = copy.deepcopy(internal)
    out: dict[str, Any] = dict(data.get("X-Baidu") or {})
    if "Description" in data:
        out["description"] = data["Description"]
    operators = []
    links = []
    reverse = {v: k for k, v in _OPERATOR_FIELDS.items()}
    reverse_ms = {v: k for k, v in _MS_FIELDS.items()}
    for task in data.get("Tasks") or []:
        extra = dict(task.get("X-Baidu") or {})
        no_props = extra.pop("_noProperties", False)
        op: dict[str, Any] = {}
        for key, value in task.items():
            if key in reverse:
                if key == "Properties" and no_props and value == {}:
                    continue
                op[reverse[key]] = value
            elif key in reverse_ms:
                op[reverse_ms[key]] = _millis(value)
        op.update(extra)
        operators.append(op)
        for dst in task.get("Next") or []:
            links.append({"src": task.get("Name"), "dst": dst})
    out["operators"] = operators
    if links or "linear" in out:
        out["links"] = links
    return out
