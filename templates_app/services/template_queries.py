"""The one read path of templates: which of the templates a caller may see match a filter.

The native ``/templates/`` filters, Alibaba's ``ListTemplates``, Baidu's template list and
the console's list translate their parameters into a :class:`TemplateFilter` and call
:func:`filter_templates` on the caller's scoped templates; ordering, paging and the wire
shapes stay with each face.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from orchestration.models import Tenant
from orchestration.services import tags as tag_service
from templates_app.models import ShareType, Template
from templates_app.services.templates import TAG_RESOURCE


@dataclass(frozen=True)
class TemplateFilter:
    """What to keep; ``None`` means "any"."""

    tenant: Tenant | None = None  # this tenant's own templates
    with_public: bool = False  # … and the public ones (OOS lists both)
    public_only: bool = False  # only the public (built-in) ones: OOS's CreatedBy=ACS
    name: str | None = None  # contains, ignoring case
    created_by: str | None = None
    share_type: str | None = None
    content_format: str | None = None
    has_trigger: bool | None = None
    template_type: str | None = None
    category: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    tags: Mapping[str, str | None] = field(default_factory=dict)  # key → value, or None for any value


def filter_templates(rows: QuerySet[Template], spec: TemplateFilter) -> QuerySet[Template]:
    """``rows`` (already scoped to what the caller may see) narrowed to ``spec``."""
    if spec.tenant is not None:
        own = Q(tenant=spec.tenant)
        rows = rows.filter(own | Q(share_type=ShareType.PUBLIC) if spec.with_public else own)
    if spec.public_only:
        rows = rows.filter(share_type=ShareType.PUBLIC)
    conditions = {
        "name__icontains": spec.name, "created_by": spec.created_by, "share_type": spec.share_type,
        "format": spec.content_format, "has_trigger": spec.has_trigger, "template_type": spec.template_type,
        "category": spec.category, "created_at__gte": spec.created_after, "created_at__lte": spec.created_before,
    }
    rows = rows.filter(**{lookup: value for lookup, value in conditions.items() if value is not None})
    if spec.tags:
        rows = tag_service.filter_by_tags(rows, TAG_RESOURCE, spec.tags)
    return rows
