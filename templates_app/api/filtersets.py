import django_filters

from orchestration.api.filtersets.tags import TagFilter
from templates_app.models import ShareType, Template, TemplateFormat
from templates_app.services.template_queries import TemplateFilter, filter_templates
from templates_app.services.templates import TAG_RESOURCE


class TemplateFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Name contains (case-insensitive).")
    created_by = django_filters.CharFilter()
    share_type = django_filters.ChoiceFilter(choices=ShareType.choices)
    # Not "format": DRF reserves ?format= for choosing a renderer.
    content_format = django_filters.ChoiceFilter(field_name="format", choices=TemplateFormat.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")
    has_trigger = django_filters.BooleanFilter()
    tag = TagFilter(resource_type=TAG_RESOURCE)

    class Meta:
        model = Template
        fields = ["tenant", "name", "created_by", "share_type", "content_format", "has_trigger", "template_type"]

    def filter_queryset(self, queryset):
        """The declared filters document and validate the query; the one read path applies them."""
        data = self.form.cleaned_data
        tags = {}
        for item in self.request.query_params.getlist("tag") if self.request is not None else ():
            key, _, value = item.partition(":")
            tags[key] = value or None
        spec = TemplateFilter(
            tenant=data.get("tenant"), name=data.get("name") or None, created_by=data.get("created_by") or None,
            share_type=data.get("share_type") or None, content_format=data.get("content_format") or None,
            has_trigger=data.get("has_trigger"), template_type=data.get("template_type") or None,
            created_after=data.get("created_after"), created_before=data.get("created_before"), tags=tags,
        )
        return filter_templates(queryset, spec)
