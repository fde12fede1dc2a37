"""The Run form, generated from a template's Parameters.

Each parameter becomes a field whose HTML attributes carry its constraints (required,
``pattern`` from AllowedPattern, lengths, number bounds, a select for AllowedValues) so
the browser checks them as the operator types. The server does not re-implement them:
the raw values go to ``start_execution``, whose ``resolve_parameters`` is the authority
(the same as for every API face), and its per-parameter problems come back to the
matching field.
"""
from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orchestration.console import phrases
from orchestration.errors import ServiceError
from orchestration.models import LoopMode, Mode, SafetyCheck
from templates_app.language.model import ParameterSpec

PARAM_PREFIX = "param-"


def _text(value: Any) -> str:
    """A Label/Description that may be ``{"en": …, "zh-cn": …}``, in the reader's language."""
    if isinstance(value, dict):
        keys = ("zh-cn", "zh", "en") if (get_language() or "").startswith("zh") else ("en", "zh-cn")
        return next((str(value[k]) for k in keys if value.get(k)), str(next(iter(value.values()), "")))
    return "" if value is None else str(value)


def _initial(spec: ParameterSpec) -> Any:
    if spec.required:
        return None
    if spec.type in ("List", "Json"):
        return json.dumps(spec.default, ensure_ascii=False)
    if spec.type == "Boolean":
        return "true" if spec.default else "false"
    return spec.default


def parameter_field(spec: ParameterSpec) -> forms.Field:
    label = _text(spec.label) or spec.name
    help_text = _text(spec.description)
    attrs: dict[str, Any] = {}
    if spec.allowed_values is not None:
        values = spec.allowed_values if isinstance(spec.allowed_values, list) else [spec.allowed_values]
        choices = [(json.dumps(v) if not isinstance(v, str) else v, str(v)) for v in values]
        choices = [("", "—")] * (not spec.required) + choices
        return forms.ChoiceField(label=label, help_text=help_text, required=spec.required, choices=choices)
    if spec.type == "Boolean":
        return forms.ChoiceField(
            label=label, help_text=help_text, required=spec.required,
            choices=[("", "—")] * (not spec.required) + [("true", _("true")), ("false", _("false"))],
        )
    if spec.type in ("List", "Json"):
        attrs.update(rows=3, spellcheck="false", **{"class": "code-input short"})
        hint = _("A JSON array, e.g. [\"vm-1\", \"vm-2\"]") if spec.type == "List" else _("A JSON object or array")
        return forms.CharField(
            label=label, help_text=f"{help_text} {hint}".strip(), required=spec.required,
            widget=forms.Textarea(attrs=attrs),
        )
    if spec.type == "Number":
        attrs["step"] = "any"
        if spec.min_value is not None:
            attrs["min"] = spec.min_value
        if spec.max_value is not None:
            attrs["max"] = spec.max_value
        return forms.CharField(
            label=label, help_text=help_text, required=spec.required, widget=forms.NumberInput(attrs=attrs)
        )
    if spec.allowed_pattern:
        attrs["pattern"] = str(spec.allowed_pattern)
        attrs["title"] = _("Must match %(pattern)s") % {"pattern": spec.allowed_pattern}
    if spec.min_length is not None:
        attrs["minlength"] = spec.min_length
    if spec.max_length is not None:
        attrs["maxlength"] = spec.max_length
    return forms.CharField(
        label=label, help_text=help_text, required=spec.required, strip=False, widget=forms.TextInput(attrs=attrs)
    )


class RunForm(forms.Form):
    """How to run (mode, safety check) plus one field per template parameter."""

    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[
            (Mode.AUTOMATIC, _("Automatic")),
            (Mode.FAILURE_PAUSE, _("Pause on failure")),
            (Mode.DEBUG, _("Debug (step by step)")),
        ],
    )
    safety_check = forms.ChoiceField(
        label=_("Safety check"),
        choices=[(SafetyCheck.CONFIRM, _("Confirm every high-risk action")), (SafetyCheck.SKIP, _("Skip"))],
    )
    loop_mode = forms.ChoiceField(
        label=_("Loops"),
        choices=[
            (LoopMode.AUTOMATIC, _("Run all batches")),
            (LoopMode.FIRST_BATCH_PAUSE, _("Pause after the first batch")),
            (LoopMode.EVERY_BATCH_PAUSE, _("Pause after every batch")),
        ],
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)

    def __init__(self, *args, parameters: dict[str, ParameterSpec], **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = parameters
        for name, spec in parameters.items():
            self.fields[PARAM_PREFIX + name] = parameter_field(spec)
            self.initial.setdefault(PARAM_PREFIX + name, _initial(spec))

    @property
    def parameter_fields(self) -> list[forms.BoundField]:
        return [self[PARAM_PREFIX + name] for name in self.specs]

    @property
    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("mode", "safety_check", "loop_mode", "description")]

    def parameters(self) -> dict[str, Any]:
        """The values the operator gave, as text; blanks are left out so defaults apply."""
        values: dict[str, Any] = {}
        for name in self.specs:
            raw = self.cleaned_data.get(PARAM_PREFIX + name)
            if raw not in (None, ""):
                values[name] = raw
        return values

    def add_service_error(self, exc: ServiceError) -> None:
        """Put each ``Parameters.<name>: …`` problem beside its field; the rest above the form."""
        problems = exc.detail if isinstance(exc.detail, list) else [exc.message]
        for problem in problems:
            place, _sep, message = str(problem).partition(": ")
            name = place.removeprefix("Parameters.")
            field = PARAM_PREFIX + name
            if place.startswith("Parameters.") and field in self.fields:
                self.add_error(field, phrases.translate(message))
            else:
                self.add_error(None, phrases.translate(str(problem)))
