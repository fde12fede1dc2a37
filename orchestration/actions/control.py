"""Control and trigger actions: sleep, choice, approval, notify and nested templates
(the actions that call this service's read API are in :mod:`.read_calls`).

These mirror the Alibaba OOS built-ins of the same name so existing templates keep
working; property names follow the OOS documentation (and the ListActions
example for ``ACS::Notify``'s ``WebHook`` block).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils import timezone

from orchestration.engine import results
from orchestration.engine.endings import request_cancel
from orchestration.models import Execution, ExecutionStatus
from orchestration.services.executions import start_child_execution
from orchestration.services.webhooks import WebhookError, longest_call_seconds, send, send_later
from templates_app.language.durations import DURATION_PATTERN, parse_duration
from templates_app.language.expressions import truthy

from .base import Action
from .registry import register

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
                "pattern": DURATION_PATTERN,
                "description": "How long to sleep: ISO 8601 such as PT1H30M, or a short form such as 10s or 4m.",
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
        # The child's parameters are stored on its row: hand it the stored properties, whose
        # secrets are still references ({{ oos-secret:Name }}), not the plaintexts of ctx.properties.
        child = start_child_execution(
            ctx.execution,
            ctx.task_execution,
            ctx.properties["TemplateName"],
            ctx.properties.get("TemplateVersion"),
            ctx.task_execution.properties.get("Parameters") or {},
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
