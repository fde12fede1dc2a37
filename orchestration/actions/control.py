"""Control and trigger actions: sleep, wait/check, choice, approval, notify, nested
template, and calls to this service's own read API.

These mirror the Alibaba OOS built-ins of the same name so existing templates keep
working; property names follow the OOS documentation (and the ListActions
example for ``ACS::Notify``'s ``WebHook`` block).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils import timezone

from orchestration.engine import results
from orchestration.engine.rounds import request_cancel
from orchestration.models import Execution, ExecutionStatus
from orchestration.services.executions import start_child_execution
from orchestration.services.webhooks import WebhookError, longest_call_seconds, send, send_later
from templates_app.language import selectors
from templates_app.language.durations import parse_duration
from templates_app.language.expressions import truthy

from . import api_calls
from .base import Action
from .registry import register

ISO8601_DURATION = r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"

_WEBHOOK = {
    "type": "object",
    "description": "The web hook to call.",
    "properties": {
        "URI": {"type": "string", "description": "The web hook URI (http or https)."},
        "Method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
        "Headers": {"type": "object", "description": "Request headers. Type: Mapping."},
        "Content": {"description": "The request body. Type: Mapping or String."},
        "Timeout": {"type": "number", "minimum": 1, "maximum": 300},
        "Retries": {"type": "integer", "minimum": 0, "maximum": 10},
    },
    "required": ["URI"],
    "additionalProperties": False,
}

# Shared by WaitFor/CheckFor/ExecuteAPI: a call to one of this service's read operations.
_API_CALL = {
    "Service": {
        "type": "string",
        "description": "Service whose read API is called: OOS (this service) or VSphere (inventory).",
    },
    "API": {"type": "string", "minLength": 1, "description": "The read operation, e.g. DescribeVMs."},
    "Parameters": {"type": "object", "description": "Parameters of the API call."},
}


def _api_permission(properties: dict[str, Any]) -> list[str]:
    """``service:API`` for a literal call; nothing when API is still an expression."""
    api = properties.get("API") if isinstance(properties, dict) else None
    service = properties.get("Service", "OOS") if isinstance(properties, dict) else "OOS"
    if isinstance(api, str) and "{{" not in api and isinstance(service, str) and "{{" not in service:
        return [f"{service.lower()}:{api}"]
    return []


@register
class Sleep(Action):
    name = "ACS::Sleep"
    type = "Atomic.Control"
    description = "Waits for a duration (ISO 8601, e.g. PT10M) before the next task."
    service = "OOS"
    api = "Sleep"
    popularity = 80
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "Duration": {
                "type": "string",
                "pattern": ISO8601_DURATION,
                "description": "How long to sleep, ISO 8601 duration such as PT1H30M.",
            }
        },
        "required": ["Duration"],
        "additionalProperties": False,
    }

    def start(self, ctx):
        seconds = parse_duration(ctx.properties["Duration"])
        if seconds <= 0:
            return results.Done({})
        until = ctx.now + dt.timedelta(seconds=seconds)
        ctx.state["until"] = until.isoformat()
        ctx.log(f"Sleeping {seconds:g} s, until {until:%Y-%m-%d %H:%M:%S} UTC.")
        return results.Wait(until=until)

    def poll(self, ctx):
        until = dt.datetime.fromisoformat(ctx.state["until"])
        return results.Done({}) if ctx.now >= until else results.Wait(until=until)

    def cancel(self, ctx):
        return None


_WAIT_SCHEMA = {
    "type": "object",
    "properties": {
        **_API_CALL,
        "PropertySelector": {"type": "string", "minLength": 1, "description": "jq selecting the value to compare."},
        "DesiredValues": {"type": "array", "minItems": 1, "description": "Values that mean success."},
        "NotDesiredValues": {"type": "array", "minItems": 1, "description": "Values that mean not yet / failure."},
        "StopRetryValues": {"type": "array", "description": "Values that stop waiting with a failure."},
        "MaxRetries": {"type": "integer", "minimum": 0, "maximum": 10000},
        "RetryInterval": {"type": "number", "minimum": 1, "description": "Seconds between polls."},
    },
    "required": ["API", "PropertySelector"],
    "anyOf": [{"required": ["DesiredValues"]}, {"required": ["NotDesiredValues"]}],
    "additionalProperties": False,
}


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


@register
class WaitFor(_ReadCallAction):
    name = "ACS::WaitFor"
    description = "Polls a read API until the selected property has a desired value."
    api = "WaitFor"
    popularity = 70
    properties_schema = _WAIT_SCHEMA

    def start(self, ctx):
        ctx.state["polls"] = 0
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
class Choice(Action):
    name = "ACS::Choice"
    type = "Atomic.Control"
    description = "Jumps to the NextTask of the first choice whose When is true, else to DefaultTask."
    service = "OOS"
    api = "Choice"
    popularity = 40
    jump_properties = ("DefaultTask", "Choices")
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "DefaultTask": {"type": "string", "description": "Task to run when no choice matches."},
            "Choices": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "When": {"description": "Condition: boolean, expression or Fn:: function."},
                        "NextTask": {"type": "string"},
                    },
                    "required": ["When", "NextTask"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["DefaultTask", "Choices"],
        "additionalProperties": False,
    }

    @classmethod
    def jump_targets(cls, properties: dict[str, Any]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if not isinstance(properties, dict):
            return out

        default = properties.get("DefaultTask")
        if isinstance(default, str):
            out.append(("DefaultTask", default))
        choices = properties.get("Choices")
        if isinstance(choices, list):
            for i, choice in enumerate(choices):
                if isinstance(choice, dict) and isinstance(choice.get("NextTask"), str):
                    out.append((f"Choices[{i}].NextTask", choice["NextTask"]))
        return out

    def start(self, ctx):
        """Choices' When values arrive rendered; the first true one picks the next task."""
        for choice in ctx.properties.get("Choices", []):
            if truthy(choice.get("When")):
                ctx.log(f"Choice: going to {choice['NextTask']}.")
                return results.Done({"NextTask": choice["NextTask"]}, next_task=choice["NextTask"])
        default = ctx.properties["DefaultTask"]
        ctx.log(f"Choice: no condition held, going to {default}.")
        return results.Done({"NextTask": default}, next_task=default)


@register
class Approve(Action):
    name = "ACS::Approve"
    type = "Atomic.Trigger"
    description = "Waits until enough approvers approve (or one rejects), optionally notifying a web hook."
    service = "OOS"
    api = "Approve"
    popularity = 50
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "NotifyType": {"type": "string", "enum": ["WebHook", "None"]},
            "WebHook": _WEBHOOK,
            "Approvers": {
                "type": "array", "items": {"type": "string"}, "description": "User names allowed to approve.",
            },
            "MinRequiredApprovals": {"type": "integer", "minimum": 1, "maximum": 20},
            "Message": {"type": "string", "maxLength": 4000},
        },
        "additionalProperties": False,
    }

    def start(self, ctx):
        """Wait for a person. A configured web hook is told, from a worker, after the commit."""
        hook = ctx.properties.get("WebHook")
        if ctx.properties.get("NotifyType") == "WebHook" and hook:
            send_later(hook, {"ExecutionId": ctx.execution.id, "TaskExecutionId": ctx.task_execution.id,
                              "Message": ctx.properties.get("Message", ""), "Event": "ApprovalRequested"})
        message = ctx.properties.get("Message") or "Waiting for approval."
        return results.Wait(until=None, reason=message, human=True)

    def poll(self, ctx):
        return results.Wait(until=None, reason="Waiting for approval.", human=True)

    def cancel(self, ctx):
        return None


@register
class Notify(Action):
    name = "ACS::Notify"
    type = "Atomic.Trigger"
    description = "Send the notification."
    service = "OOS"
    api = "Notify"
    popularity = 45
    synchronous = False

    @classmethod
    def call_seconds(cls, properties: dict[str, Any]) -> float:
        return longest_call_seconds(properties.get("WebHook") or {})

    def start(self, ctx):
        try:
            answer = send(ctx.properties["WebHook"])
        except WebhookError as exc:
            return results.Failed(str(exc))
        ctx.log(f"Web hook answered {answer['StatusCode']}.")
        return results.Done(answer)

    def cancel(self, ctx):
        return None
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "NotifyType": {
                "type": "string", "enum": ["WebHook"], "description": "The type of notification. Support WebHook",
            },
            "WebHook": _WEBHOOK,
        },
        "required": ["NotifyType", "WebHook"],
        "additionalProperties": False,
    }


@register
class NestedTemplate(Action):
    name = "ACS::Template"
    type = "Atomic.Control"
    description = "Runs another template as a child execution (nested template)."
    service = "OOS"
    api = "StartExecution"
    permissions = ("oos:GetTemplate", "oos:StartExecution")
    popularity = 65
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "TemplateName": {"type": "string", "minLength": 1, "maxLength": 200},
            "TemplateVersion": {"type": "string", "pattern": r"^v[0-9]+$"},
            "Parameters": {"type": "object"},
        },
        "required": ["TemplateName"],
        "additionalProperties": False,
    }

    def start(self, ctx):
        child = start_child_execution(
            ctx.execution,
            ctx.task_execution,
            ctx.properties["TemplateName"],
            ctx.properties.get("TemplateVersion"),
            ctx.properties.get("Parameters") or {},
        )
        ctx.state["child"] = child.id
        ctx.log(f"Started child execution {child.id} of {child.template_name}.")
        return results.Wait(until=None, reason=f"Waiting for child execution {child.id}.")

    def poll(self, ctx):
        r = results
        child = Execution.objects.filter(pk=ctx.state.get("child")).first()
        if child is None:
            return r.Failed("The child execution was deleted.", retryable=False)
        if child.status == ExecutionStatus.SUCCESS:
            return r.Done(child.outputs)
        if child.status in (ExecutionStatus.FAILED, ExecutionStatus.CANCELLED):
            return r.Failed(f"Child execution {child.id} {child.status.lower()}: {child.status_message}")
        return r.Wait(until=None, reason=f"Waiting for child execution {child.id}.")

    def cancel(self, ctx):
        child = Execution.objects.filter(pk=ctx.state.get("child")).first()
        if child is not None and not child.is_finished:
            request_cancel(child, timezone.now())


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

