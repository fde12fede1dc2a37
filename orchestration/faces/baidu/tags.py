"""Baidu tags on the wire (``[{tagKey, tagValue}]``) and the services' ``{key: value}``."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestration.errors import InvalidParameter


def tags_from_baidu(value: Any, place: str = "tags") -> dict[str, str]:
    """``[{tagKey, tagValue}, …]`` (``null`` or absent: none) as a mapping; the services check limits."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise InvalidParameter(place, "must be a list of {tagKey, tagValue}")
    tags: dict[str, str] = {}
    for index, tag in enumerate(value):
        if not isinstance(tag, dict) or not isinstance(tag.get("tagKey"), str) or not tag["tagKey"]:
            raise InvalidParameter(f"{place}[{index}]", "must be {tagKey, tagValue} with a non-empty tagKey")
        tag_value = tag.get("tagValue", "")
        if not isinstance(tag_value, str):
            raise InvalidParameter(f"{place}[{index}].tagValue", "must be a string")
        tags[tag["tagKey"]] = tag_value
    return tags


def baidu_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"tagKey": key, "tagValue": value} for key, value in sorted(tags.items())]
