"""Console forms: they parse and shape browser input; the rules stay in the services.

A form here checks only what HTML cannot express (e.g. ``key=value`` tag syntax);
names, content and tags are validated by ``templates_app.services.templates`` and its
errors are attached back to the matching field.
"""
from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from orchestration.console import phrases
from orchestration.errors import ServiceError
from templates_app.models import ShareType
from templates_app.services.template_queries import TemplateFilter, filter_templates

SORTS = {
    "name": ("name", _("Name")),
    "popularity": ("-popularity", _("Popularity")),
    "executions": ("-total_execution_count", _("Executions")),
    "created": ("-created_at", _("Newest first")),
}


class TemplateFilterForm(forms.Form):
    """Search, filter and sort of the template list (all optional, from the query string)."""

    q = forms.CharField(label=_("Name contains"), required=False, max_length=200)
    share_type = forms.ChoiceField(
        label=_("Share type"),
        required=False,
        choices=[("", _("All")), (ShareType.PRIVATE, _("Private")), (ShareType.PUBLIC, _("Public (built-in)"))],
    )
    tag = forms.CharField(
        label=_("Tag"), required=False, max_length=260, help_text=_("key or key:value")
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[(key, label) for key, (_o, label) in SORTS.items()]
    )

    def apply(self, queryset: QuerySet) -> QuerySet:
        """Narrow an already tenant-scoped queryset; invalid input filters nothing."""
        data = self.cleaned_data if self.is_valid() else {}
        tags = {}
        if data.get("tag"):
            key, _sep, value = data["tag"].partition(":")
            tags = {key.strip(): value.strip() or None}
        spec = TemplateFilter(name=data.get("q") or None, share_type=data.get("share_type") or None, tags=tags)
        queryset = filter_templates(queryset, spec)
        order = SORTS.get(data.get("sort") or "name", SORTS["name"])[0]
        return queryset.order_by(order, "name")


def parse_tags(text: str) -> dict[str, str]:
    """``env=prod, team=ops`` (commas or new lines) as a dict; a bare key has an empty value."""
    tags: dict[str, str] = {}
    for item in text.replace("\n", ",").split(","):
        if item.strip():
            key, _sep, value = item.partition("=")
            tags[key.strip()] = value.strip()
    return tags


def format_tags(tags: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" if v else k for k, v in sorted(tags.items()))


class TemplateForm(forms.Form):
    """Create a template, or (``new_version=True``) store a new version of one."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("Letters, digits, '-' and '_'. Names starting with ACS or ALIYUN are reserved."),
        widget=forms.TextInput(attrs={"pattern": "[A-Za-z0-9_-]{1,200}", "autocomplete": "off"}),
    )
    content = forms.CharField(
        label=_("Content (YAML or JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code-input"}),
    )
    version_description = forms.CharField(label=_("What changed"), required=False, max_length=200)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("key=value, separated by commas"), max_length=4000
    )

    def __init__(self, *args, new_version: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if new_version:
            del self.fields["name"]

    def clean_tags(self) -> dict[str, str]:
        return parse_tags(self.cleaned_data.get("tags", ""))

    def add_service_error(self, exc: ServiceError) -> None:
        """Show a service's refusal beside the field it concerns (``place``), else above the form."""
        field = {"TemplateName": "name", "Content": "content", "Tags": "tags"}.get(exc.place)
        message = phrases.translate(exc.message)
        if field == "content" and isinstance(exc.detail, list):
            message = _("The content has problems; see the list below.")
        self.add_error(field if field in self.fields else None, message)


class SwitchForm(forms.Form):
    """The tenant/project switcher; ids are checked against ``for_user`` by the selection module."""

    tenant = forms.IntegerField(required=False)
    project = forms.CharField(required=False, max_length=32)
    next = forms.CharField(required=False, max_length=2000)
