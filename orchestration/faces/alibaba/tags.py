"""TagResources, UntagResources and ListTagResources on templates (and, with the engine, executions)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from orchestration.errors import InvalidParameter, NotFound
from orchestration.faces.credentials import Caller
from orchestration.faces.paging import page
from orchestration.models import Execution, ResourceTag, Scope
from orchestration.services import executions as execution_service
from orchestration.services import tags as tag_service
from templates_app.models import Template
from templates_app.services import templates as template_service

from .errors import missing
from .registry import Call, action


@dataclass(frozen=True)
class TaggableType:
    """How a ResourceType maps caller-given ids (or names) to stored ids and back."""

    find: Callable[[Caller, str, bool], str]  # (caller, id or name, for_writing) -> stored id
    display: Callable[[list[str]], dict[str, str]]  # stored ids -> ids shown to callers


def _find_template(caller: Caller, name_or_id: str, for_writing: bool) -> str:
    scope = Scope.RUN if for_writing else Scope.VIEW
    template = template_service.find_template(caller.user, name_or_id, tenant=caller.tenant, scope=scope)
    if for_writing:
        template_service.refuse_public(template)
    return template.pk


def _template_names(ids: list[str]) -> dict[str, str]:
    return dict(Template.objects.filter(pk__in=ids).values_list("pk", "name"))


def _find_execution(caller: Caller, execution_id: str, for_writing: bool) -> str:
    scope = Scope.RUN if for_writing else Scope.VIEW
    if not Execution.objects.for_user(caller.user, scope).filter(pk=execution_id, tenant=caller.tenant).exists():
        raise NotFound("Execution", execution_id)
    return execution_id


RESOURCE_TYPES: dict[str, TaggableType] = {
    template_service.TAG_RESOURCE: TaggableType(_find_template, _template_names),
    execution_service.TAG_RESOURCE: TaggableType(_find_execution, lambda ids: {i: i for i in ids}),
}


def _resource_type(call: Call) -> str:
    return call.params.str("ResourceType", required=True, choices=tuple(RESOURCE_TYPES))


@action("TagResources")
def tag_resources(call: Call) -> dict[str, Any]:
    call.caller.require(Scope.RUN)
    kind = _resource_type(call)
    ids = call.params.json_list("ResourceIds", required=True, maximum=50)
    tags = tag_service.check_tags(call.params.json("Tags", dict, required=True))
    if not tags:
        raise InvalidParameter("Tags", "between 1 and 20 tags")
    stored = [RESOURCE_TYPES[kind].find(call.caller, resource_id, True) for resource_id in ids]
    for resource_id in stored:
        tag_service.set_tags(call.caller.tenant, kind, resource_id, tags)
    return {}


@action("UntagResources")
def untag_resources(call: Call) -> dict[str, Any]:
    call.caller.require(Scope.RUN)
    kind = _resource_type(call)
    ids = call.params.json_list("ResourceIds", required=True, maximum=50)
    keys = call.params.json_list("TagKeys", maximum=20)
    remove_all = call.params.bool("All", default=False)
    if keys is None and not remove_all:
        raise missing("TagKeys")
    stored = [RESOURCE_TYPES[kind].find(call.caller, resource_id, True) for resource_id in ids]
    tag_service.remove_tags(kind, stored, None if keys is None else keys)
    return {}


@action("ListTagResources")
def list_tag_resources(call: Call) -> dict[str, Any]:
    kind = _resource_type(call)
    taggable = RESOURCE_TYPES[kind]
    rows = ResourceTag.objects.for_user(call.caller.user, Scope.VIEW).filter(
        tenant=call.caller.tenant, resource_type=kind
    )
    ids = call.params.json_list("ResourceIds", maximum=50)
    if ids is not None:
        rows = rows.filter(resource_id__in=[_stored_id(call.caller, taggable, i) for i in ids])
    tags = call.params.json("Tags", dict)
    if tags is not None:
        for key, value in tag_service.check_tags(tags).items():
            having = ResourceTag.objects.filter(tenant=call.caller.tenant, resource_type=kind, key=key)
            if value != "":
                having = having.filter(value=value)
            rows = rows.filter(Q(resource_id__in=having.values("resource_id")))
    rows = rows.order_by("resource_id", "key")
    size = call.params.int("MaxResults", default=50, minimum=1, maximum=100)
    items, next_token = page(rows, call.params.str("NextToken"), size)
    shown = taggable.display(sorted({row.resource_id for row in items}))
    return {
        "TagResources": {
            "TagResource": [
                {
                    "ResourceType": kind,
                    "ResourceId": shown.get(row.resource_id, row.resource_id),
                    "TagKey": row.key,
                    "TagValue": row.value,
                }
                for row in items
            ]
        },
        "NextToken": next_token,
    }


def _stored_id(caller: Caller, taggable: TaggableType, resource_id: str) -> str:
    """The stored id for a caller-given id or name; unknown ones simply match nothing."""
    try:
        return taggable.find(caller, resource_id, False)
    except NotFound:
        return resource_id
