"""The "New schedule" form of a template: when (a cron expression or one time) and how to run.

The run options and parameters are the Run form's (one field per template parameter);
this form adds the schedule. Rules — a valid cron, a time still to come, parameters the
template accepts — are ``orchestration.services.triggers``'s; their refusals come back
beside the field they concern.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orchestration.console import phrases
from orchestration.console.run_form import RunForm
from orchestration.errors import ServiceError

CRON, ONCE = "cron", "once"


class ScheduleForm(RunForm):
    name = forms.CharField(label=_("Schedule name"), max_length=128)
    kind = forms.ChoiceField(
        label=_("Runs"), choices=[(CRON, _("Repeatedly (cron)")), (ONCE, _("Once"))], widget=forms.RadioSelect,
        initial=CRON,
    )
    cron = forms.CharField(
        label=_("Cron expression (UTC)"), required=False, max_length=128,
        help_text=_("Five fields: minute hour day-of-month month day-of-week, e.g. 0 3 * * 1-5 for 03:00 on weekdays."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off", "placeholder": "0 3 * * 1-5"}),
    )
    run_at = forms.DateTimeField(
        label=_("Run at (UTC)"), required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]  # a timer's executions are described by the trigger's name

    @property
    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("mode", "safety_check", "loop_mode")]

    def clean(self):
        data = super().clean()
        if data.get("kind") == CRON and not data.get("cron"):
            self.add_error("cron", _("Give a cron expression, or choose Once."))
        if data.get("kind") == ONCE and not data.get("run_at") and "run_at" not in self.errors:
            self.add_error("run_at", _("Give the date and time to run at, or choose Repeatedly."))
        return data

    @property
    def schedule_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "cron", "run_at")]

    def schedule(self) -> tuple[str, object]:
        """``(cron, run_at)``: only the chosen kind's value."""
        if self.cleaned_data["kind"] == CRON:
            return self.cleaned_data["cron"].strip(), None
        return "", self.cleaned_data["run_at"]

    def add_service_error(self, exc: ServiceError) -> None:
        """A schedule refusal beside its field; parameter problems as the Run form places them."""
        field = {"cron": "cron", "run_at": "run_at"}.get(exc.place)
        if field:
            self.add_error(field, phrases.translate(exc.message.removeprefix(f"{exc.place}: ")))
        else:
            super().add_service_error(exc)
