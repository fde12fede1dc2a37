"""Tagging any resource: set, remove, read, and filter querysets by tags."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from orchestration.errors import InvalidParameter
from orchestration.models import ResourceTag, Tenant

MAX_TAGS = 20


def check_tags(tags: Mapping[str, str] | None, place: str = "Tags") -> dict[str, str]:
    """Tags as a clean dict: 1–20 pairs, keys 1–128 characters, values at most 128."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InvalidParameter(place, "must be an object of key/value pairs")
    if len(tags) > MAX_TAGS:
        raise InvalidParameter(place, f"at most {MAX_TAGS} tags, got {len(tags)}")
    clean = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise InvalidParameter(place, f"tag key {key!r} must be 1–128 characters")
        if value is None:
            value = ""
        if not isinstance(value, str | int | float | bool) or len(str(value)) > 128:
            raise InvalidParameter(place, f"tag {key!r}: value must be a string of at most 128 characters")
        clean[key] = str(value)
    return clean


@transaction.atomic
def set_tags(tenant: Tenant, resource_type: str, resource_id: str, tags: Mapping[str, str]) -> None:
    """Add or overwrite tags; a resource keeps at most 20."""
    tags = check_tags(tags)
    existing = set(
        ResourceTag.objects.filter(resource_type=resource_type, resource_id=resource_id).values_list("key", flat=True)
    )
    if len(existing | set(tags)) > MAX_TAGS:
        raise InvalidParameter("Tags", f"a resource has at most {MAX_TAGS} tags")
    for key, value in tags.items():
        ResourceTag.objects.update_or_create(
            resource_type=resource_type,
            resource_id=resource_id,
            key=key,
            defaults={"value": value, "tenant": tenant},
        )


def remove_tags(resource_type: str, resource_ids: Iterable[str], keys: Iterable[str] | None = None) -> int:
    """Remove the given keys (or every tag when ``keys`` is None); returns how many went."""
    qs = ResourceTag.objects.filter(resource_type=resource_type, resource_id__in=list(resource_ids))
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    return qs.delete()[0]


def replace_tags(tenant: Tenant, resource_type: str, resource_id: str, tags: Mapping[str, str]) -> None:
    with transaction.atomic():
        remove_tags(resource_type, [resource_id])
        set_tags(tenant, resource_type, resource_id, tags)


def tags_of(resource_type: str, resource_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Tags of many resources in one query: ``{resource_id: {key: value}}``."""
    out: dict[str, dict[str, str]] = {}
    rows = ResourceTag.objects.filter(resource_type=resource_type, resource_id__in=list(resource_ids))
    for resource_id, key, value in rows.values_list("resource_id", "key", "value"):
        out.setdefault(resource_id, {})[key] = value
    return out


def filter_by_tags(queryset: QuerySet, resource_type: str, tags: Mapping[str, str | None]) -> QuerySet:
    """Rows carrying every given tag (a ``None``/empty value matches any value of that key)."""
    for key, value in tags.items():
        match = ResourceTag.objects.filter(resource_type=resource_type, resource_id=OuterRef("pk"), key=key)
        if value not in (None, ""):
            match = match.filter(value=value)
        queryset = queryset.filter(Exists(match))
    return queryset
