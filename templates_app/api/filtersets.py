import django_filters

from orchestration.api.filtersets.tags import TagFilter
from templates_app.models import ShareType, Template, TemplateFormat
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
