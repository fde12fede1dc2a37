"""The ``?tag=`` filter every taggable resource's list shares."""
from __future__ import annotations

import django_filters

from orchestration.services.tags import filter_by_tags


class TagFilter(django_filters.CharFilter):
    """``?tag=key`` or ``?tag=key:value``, repeatable: rows carrying every given tag."""

    def __init__(self, *, resource_type: str, **kwargs):
        kwargs.setdefault("help_text", "key or key:value; repeat for several tags.")
        super().__init__(**kwargs)
        self.resource_type = resource_type

    def filter(self, queryset, value):
        if not value:
            return queryset
        tags = {}
        for item in self.parent.request.query_params.getlist(self.field_name):
            key, _, tag_value = item.partition(":")
            tags[key] = tag_value or None
        return filter_by_tags(queryset, self.resource_type, tags)
