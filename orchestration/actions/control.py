"""Control and trigger actions: sleep, wait/check, choice, approval, notify, nested
template, and calls to this service's own read API.

These mirror the Alibaba OOS built-ins of the same name so existing templates keep
working; property names follow the OOS documentation (and seed 004's ListActions
example for ``ACS::Notify``'s ``WebHook`` block).
"""

from __future__ import annotations

from typing import Any, ClassVar

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


@register
class WaitFor(Action):
    name = "ACS::WaitFor"
    type = "Atomic.Control"
    description = "Polls a read API until the selected property has a desired value."
    service = "OOS"
    api = "WaitFor"
    popularity = 70
    properties_schema = _WAIT_SCHEMA

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        return _api_permission(properties)


@register
class CheckFor(Action):
    name = "ACS::CheckFor"
    type = "Atomic.Control"
    description = "Calls a read API once and fails unless the selected property has a desired value."
    service = "OOS"
    api = "CheckFor"
    popularity = 60
    properties_schema = _WAIT_SCHEMA

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        return _api_permission(properties)


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


@register
class Notify(Action):
    name = "ACS::Notify"
    type = "Atomic.Trigger"
    description = "Send the notification."
    service = "OOS"
    api = "Notify"
    popularity = 45
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


@register
class ExecuteAPI(Action):
    name = "ACS::ExecuteAPI"
    type = "Atomic.API"
    description = "Calls one of this service's own read operations and returns its response."
    service = "OOS"
    api = "ExecuteAPI"
    popularity = 75
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": dict(_API_CALL),
        "required": ["API"],
        "additionalProperties": False,
    }

    @classmethod
    def permissions_for(cls, properties: dict[str, Any]) -> list[str]:
        return _api_permission(properties)


@register
class ExecuteApiAlias(ExecuteAPI):
    """``ACS::ExecuteApi`` — the spelling seed 004's ValidateTemplateContent example uses."""

    name = "ACS::ExecuteApi"
