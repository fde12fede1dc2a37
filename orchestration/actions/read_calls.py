"""Actions that call one of this service's read operations: ``ACS::WaitFor``,
``ACS::CheckFor`` and ``ACS::ExecuteAPI`` (the calls themselves are in :mod:`.api_calls`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from orchestration.engine import results
from templates_app.language import selectors
from templates_app.language.cloud import cloud_api_message

from . import api_calls
from .base import Action
from .registry import is_read_operation, read_operation_names, read_operation_services, register

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")

# Shared by WaitFor/CheckFor/ExecuteAPI: a call to one of this service's read operations.
_API_CALL = {
    "Service": {
        "type": "string",
        "description": "Service whose read API is called: OOS (this service) or VSphere (inventory).",
    },
    "API": {"type": "string", "minLength": 1, "description": "The read operation, e.g. DescribeVMs."},
    "Parameters": {"type": ["object", "null"], "description": "Parameters of the API call."},
    # OOS's HTTP form of a call (for ROA-style APIs). This service's read operations take
    # their Parameters only, so these are accepted as OOS accepts them and not used.
    "Method": {"type": "string", "enum": list(HTTP_METHODS), "description": "HTTP method of an ROA-style API."},
    "URI": {"type": "string", "description": "Request path of an ROA-style API."},
    "Headers": {"type": ["object", "null"], "description": "Request headers of an ROA-style API."},
    "Body": {"description": "Request body of an ROA-style API (text or a mapping)."},
    "Risk": {"type": "string", "description": "OOS's risk marking of the call, e.g. Normal."},
}
HTTP_FORM = ("Method", "URI", "Headers", "Body")


def _api_permission(properties: dict[str, Any]) -> list[str]:
    """``service:API`` for a literal call; nothing when API is still an expression."""
    api = properties.get("API") if isinstance(properties, dict) else None
    service = properties.get("Service", "OOS") if isinstance(properties, dict) else "OOS"
    if isinstance(api, str) and "{{" not in api and isinstance(service, str) and "{{" not in service:
        return [f"{service.lower()}:{api}"]
    return []


_WAIT_SCHEMA = {
    "type": "object",
    "properties": {
        **_API_CALL,
        "PropertySelector": {"type": "string", "minLength": 1, "description": "jq selecting the value to compare."},
        "DesiredValues": {"type": "array", "minItems": 1, "description": "Values that mean success."},
        # OOS accepts an empty list (its own templates use one): then any value is desired.
        "NotDesiredValues": {"type": "array", "description": "Values that mean not yet / failure."},
        "StopRetryValues": {"type": "array", "description": "Values that stop waiting with a failure."},
        "MaxRetries": {"type": "integer", "minimum": 0, "maximum": 10000},
        "RetryInterval": {"type": "number", "minimum": 1, "description": "Seconds between polls."},
    },
    "required": ["API", "PropertySelector"],
    "anyOf": [{"required": ["DesiredValues"]}, {"required": ["NotDesiredValues"]}],
    "additionalProperties": False,
}


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "{{" not in value


def call_problems(properties: dict[str, Any]) -> list[tuple[str, str]]:
    """A literal Service/API this service cannot call: another cloud's API, or an unknown operation."""
    service, api = properties.get("Service", "OOS"), properties.get("API")
    if not _literal(service):
        return []
    known = ", ".join(read_operation_names())
    if service.lower() not in read_operation_services():
        return [("Properties.Service", cloud_api_message(service, known))]
    if _literal(api) and not is_read_operation(service, api):
        return [("Properties.API", f"{service}:{api} is not a read operation this service can call; known: {known}")]
    return []


def _unused_http_form(ctx) -> None:
    given = [key for key in HTTP_FORM if ctx.properties.get(key) not in (None, "", {})]
    if given:
        ctx.log(f"{', '.join(given)} not used: this service's read operations take their Parameters only.")


def _check_property(ctx) -> tuple[str, Any]:
    """Call the read API and classify the selected value: desired, stop, or not yet."""
    props = ctx.properties
    answer = api_calls.call(props.get("Service", "OOS"), props["API"], ctx.execution.tenant_id, props.get("Parameters"))
    value = selectors.select(props["PropertySelector"], answer, "Json")
    ctx.state["last_value"] = value
    if value in props.get("StopRetryValues", []):
        return "stop", value
    if "DesiredValues" in props:
        return ("desired" if value in props["DesiredValues"] else "not_yet"), value
    return ("not_yet" if value in props["NotDesiredValues"] else "desired"), value


class _ReadCallAction(Action):
    """Base of the actions that call one of this service's read operations (``Service``/``API``)."""

    type = "Atomic.Control"
    service = "OOS"

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        return _api_permission(properties)

    @classmethod
    def template_problems(cls, properties: dict[str, Any], index: int, tasks: list[Any]) -> list[tuple[str, str]]:
        return call_problems(properties)


@register
class WaitFor(_ReadCallAction):
    name = "ACS::WaitFor"
    description = "Polls a read API until the selected property has a desired value."
    api = "WaitFor"
    popularity = 70
    properties_schema = _WAIT_SCHEMA

    def start(self, ctx):
        ctx.state["polls"] = 0
        _unused_http_form(ctx)
        return self.poll(ctx)

    def poll(self, ctx):
        r = results
        verdict, value = _check_property(ctx)
        ctx.state["polls"] = ctx.state.get("polls", 0) + 1
        selector = ctx.properties["PropertySelector"]
        if verdict == "desired":
            return r.Done({"Value": value})
        if verdict == "stop":
            return r.Failed(f"{selector} is {value!r}, a stop value.", retryable=False)
        if ctx.state["polls"] > ctx.properties.get("MaxRetries", 60):
            return r.Failed(f"{selector} is still {value!r} after {ctx.state['polls']} polls.")
        interval = ctx.properties.get("RetryInterval", 5)
        return r.Wait(until=ctx.now + dt.timedelta(seconds=interval), reason=f"Waiting: value is {value!r}.")

    def cancel(self, ctx):
        return None


@register
class CheckFor(_ReadCallAction):
    name = "ACS::CheckFor"
    description = "Calls a read API once and fails unless the selected property has a desired value."
    api = "CheckFor"
    popularity = 60
    properties_schema = _WAIT_SCHEMA

    def start(self, ctx):
        r = results
        verdict, value = _check_property(ctx)
        if verdict == "desired":
            return r.Done({"Value": value})
        return r.Failed(f"{ctx.properties['PropertySelector']} is {value!r}, not a desired value.")


@register
class ExecuteAPI(_ReadCallAction):
    name = "ACS::ExecuteAPI"
    type = "Atomic.API"
    description = "Calls one of this service's own read operations and returns its response."
    api = "ExecuteAPI"
    popularity = 75
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": dict(_API_CALL),
        "required": ["API"],
        "additionalProperties": False,
    }

    def start(self, ctx):
        props = ctx.properties
        _unused_http_form(ctx)
        try:
            answer = api_calls.call(props.get("Service", "OOS"), props["API"], ctx.execution.tenant_id,
                                    props.get("Parameters"))
        except (LookupError, ValueError, TypeError) as exc:
            return results.Failed(str(exc), retryable=False)
        return results.Done(answer)


@register
class ExecuteApiAlias(ExecuteAPI):
    """``ACS::ExecuteApi`` — the spelling of the ValidateTemplateContent example in Alibaba's API document."""

    name = "ACS::ExecuteApi"
