"""Admin for the parameter store: every write goes through the parameter services.

The value is a write-only field for secrets: the change form never shows a secret's value
(an empty field keeps it); a plain parameter's form shows its newest value. A new value
makes a new version.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from orchestration.admin_scoping import TenantScopedAdmin
from orchestration.errors import ServiceError
from orchestration.models import Parameter, ParameterType
from orchestration.services import parameter_rules as rules
from orchestration.services import parameters as service


class ParameterForm(forms.ModelForm):
    value = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text="1–4096 characters; a new value makes a new version. A secret's value is never shown: "
                  "leave it empty to keep the current one.",
    )

    class Meta:
        model = Parameter
        fields = ["tenant", "name", "secret", "type", "description", "constraints"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance.secret:
            self.fields["value"].widget = forms.Textarea(attrs={"rows": 3})
            self.fields["value"].initial = service.plain_value(self.instance)

    def clean(self):
        data = super().clean()
        try:
            if self.instance.pk:
                if data.get("value"):
                    rules.check_value(data["value"], self.instance.type, self.instance.constraints)
                return data
            secret = bool(data.get("secret"))
            data["type"] = rules.check_type(ParameterType.SECRET if secret else data.get("type"), secret=secret)
            rules.check_name(data.get("name"))
            data["constraints"] = rules.check_constraints(data.get("constraints"))
            rules.check_value(data.get("value"), data["type"], data["constraints"])
        except ServiceError as exc:
            raise ValidationError(exc.message) from None
        return data


@admin.register(Parameter)
class ParameterAdmin(TenantScopedAdmin):
    form = ParameterForm
    list_display = ["name", "tenant", "secret", "type", "version", "updated_by", "updated_at"]
    list_filter = ["secret", "type", "tenant"]
    search_fields = ["name", "description"]
    list_select_related = ["tenant"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["version"]
        return ["tenant", "name", "secret", "type", "constraints", "version", "created_by", "updated_by"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = service.update(obj, actor=request.user, value=data.get("value") or None,
                                   description=data.get("description", ""))
        else:
            saved = service.create(tenant=data["tenant"], actor=request.user, name=data["name"],
                                   value=data["value"], secret=bool(data.get("secret")), type=data["type"],
                                   description=data.get("description"), constraints=data.get("constraints"))
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        service.delete(obj, actor=request.user)
