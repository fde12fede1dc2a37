"""The executions list's filter form: its fields read into the shared :class:`ExecutionFilter`.

Dates are whole days in the operator's timezone ("from" the start of the first day "to"
the end of the last); who started a run is the name the list shows (``executed_by``).
The form only parses; what the filter means is ``filter_executions``'s.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orchestration.models import ExecutionStatus
from orchestration.services.execution_queries import ExecutionFilter


class ExecutionListForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Name or execution id"))
    status = forms.ChoiceField(required=False, choices=[("", _("All")), *ExecutionStatus.choices], label=_("Status"))
    by = forms.CharField(required=False, max_length=150, label=_("Started by"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def spec(self) -> ExecutionFilter:
        """The filter the valid fields ask for (an invalid field filters nothing)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        since, until = data.get("since"), data.get("until")
        return ExecutionFilter(
            search=(data.get("q") or "").strip() or None,
            statuses=[data["status"]] if data.get("status") else (),
            executed_by=(data.get("by") or "").strip() or None,
            created_after=_day_start(since) if since else None,
            created_before=_day_start(until + dt.timedelta(days=1)) - dt.timedelta(microseconds=1) if until else None,
        )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
