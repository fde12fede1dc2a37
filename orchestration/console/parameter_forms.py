"""Console forms of the parameter store: they carry browser input; the rules are the services'.

A secret's value field is a password input that never renders a value back.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orchestration.console import phrases
from orchestration.errors import ServiceError
from orchestration.models import ParameterType

FIELDS = {"Name": "name", "Type": "type", "Value": "value", "Description": "description",
          "Constraints": "constraints"}


class _ServiceErrors:
    def add_service_error(self, exc: ServiceError) -> None:
        """Show a service's refusal beside the field it concerns (``place``), else above the form."""
        field = FIELDS.get(exc.place)
        self.add_error(field if field in self.fields else None, phrases.translate(exc.reason if field else exc.message))


class ParameterCreateForm(_ServiceErrors, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=180, help_text=_("2–180 letters, digits, -, _ or /"))
    type = forms.ChoiceField(label=_("Type"), choices=[(ParameterType.STRING, "String"),
                                                       (ParameterType.STRING_LIST, "StringList")], required=False)
    value = forms.CharField(label=_("Value"), strip=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("At most 4096 characters; a StringList is comma-separated."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    constraints = forms.CharField(label=_("Constraints"), required=False,
                                  help_text=_('JSON, e.g. {"AllowedPattern": "^[a-z]+$", "MaxLength": 20}'))

    def __init__(self, *args, secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if secret:
            del self.fields["type"]
            self.fields["value"].widget = forms.PasswordInput(render_value=False)
            self.fields["value"].help_text = _("At most 4096 characters. It is never shown again.")


class ParameterEditForm(_ServiceErrors, forms.Form):
    value = forms.CharField(label=_("New value"), strip=False, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("A new value makes a new version; leave empty to keep the current one."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if secret:
            self.fields["value"].widget = forms.PasswordInput(render_value=False)
