"""Parameter store actions: Create/Get/Gets/List/Update/DeleteParameter and the
``…SecretParameter`` family — translations to :mod:`orchestration.services.parameters`.

A secret's ``Value`` is answered only by GetSecretParameter(s) with ``WithDecryption``,
only to an admin of the key's tenant, and each such read is in the audit trail.
"""
from __future__ import annotations

import json
import re
from typing import Any

from django.db.models import F

from orchestration.errors import NotFound
from orchestration.faces.dates import iso_z as iso
from orchestration.faces.paging import page
from orchestration.models import Face, Parameter, Scope
from orchestration.services import parameters as service
from orchestration.services import tags as tag_service

from .registry import Call, action

TAG_RESOURCE = "parameter"
SORT_FIELDS = {"Name": "name", "CreatedDate": "created_at"}
MAX_NAMES = 10  # GetParameters / GetSecretParameters take at most 10 names


def _meta(parameter: Parameter, tags: dict[str, str] | None = None, *, listed: bool = False) -> dict[str, Any]:
    if tags is None:
        tags = tag_service.tags_of(TAG_RESOURCE, [parameter.pk]).get(parameter.pk, {})
    meta: dict[str, Any] = {
        "Id": parameter.pk,
        "Name": parameter.name,
        "Type": parameter.type,
        "Description": parameter.description,
        "ParameterVersion": parameter.version,
        "ShareType": "Private",
        "CreatedBy": parameter.created_by,
        "CreatedDate": iso(parameter.created_at),
        "UpdatedBy": parameter.updated_by,
        "UpdatedDate": iso(parameter.updated_at),
        "Tags": tags,
        "ResourceGroupId": "",
    }
    if not listed:
        meta["Constraints"] = json.dumps(parameter.constraints, ensure_ascii=False) if parameter.constraints else ""
    if parameter.secret:
        meta["KeyId"] = ""
    return meta


def _find(call: Call, secret: bool, scope: str = Scope.VIEW) -> Parameter:
    name = call.params.str("Name", required=True, max_length=180)
    return service.find(call.caller.user, call.caller.tenant, name, secret=secret, scope=scope)


def _version(call: Call) -> int | None:
    return call.params.int("ParameterVersion", minimum=1, maximum=1_000_000)


def _tags(call: Call) -> dict[str, str] | None:
    tags = call.params.json("Tags", dict)
    return tag_service.check_tags(tags) if tags is not None else None


def _value(parameter: Parameter, call: Call, version: int | None, decrypt: bool) -> str | None:
    """A plain parameter's value; a secret's only with decryption (admin, audited)."""
    if not parameter.secret:
        return service.plain_value(parameter, version)
    if not decrypt:
        return None
    return service.decrypted_value(parameter, actor=call.caller.user, face=Face.ALIBABA, version=version,
                                   access_key_id=call.caller.key.pk, request_id=call.request_id)


def _with_value(parameter: Parameter, call: Call, version: int | None = None, decrypt: bool = False) -> dict[str, Any]:
    meta = _meta(parameter)
    if version is not None:
        meta["ParameterVersion"] = service.version_of(parameter, version).version
    value = _value(parameter, call, version, decrypt)
    if value is not None:
        meta["Value"] = value
    return meta


def _create(call: Call, secret: bool) -> dict[str, Any]:
    p = call.params
    parameter = service.create(
        tenant=call.caller.tenant, actor=call.caller.user, secret=secret,
        name=p.str("Name", required=True), value=p.str("Value", required=True),
        type=p.str("Type"), description=p.str("Description"), constraints=p.str("Constraints"),
    )
    tags = _tags(call)
    if tags:
        tag_service.set_tags(call.caller.tenant, TAG_RESOURCE, parameter.pk, tags)
    return {"Parameter": _meta(parameter)}


def _update(call: Call, secret: bool) -> dict[str, Any]:
    parameter = _find(call, secret, Scope.RUN)
    tags = _tags(call)
    if tags is not None:
        tag_service.replace_tags(call.caller.tenant, TAG_RESOURCE, parameter.pk, tags)
    if tags is None or "Value" in call.params or "Description" in call.params:
        parameter = service.update(parameter, actor=call.caller.user, value=call.params.str("Value"),
                                   description=call.params.str("Description"))
    return {"Parameter": _meta(parameter)}


def _delete(call: Call, secret: bool) -> dict[str, Any]:
    parameter = _find(call, secret, Scope.RUN)
    service.delete(parameter, actor=call.caller.user)
    tag_service.remove_tags(TAG_RESOURCE, [parameter.pk])
    return {}


def _get_many(call: Call, secret: bool, decrypt: bool = False) -> dict[str, Any]:
    names = call.params.json_list("Names", required=True, maximum=MAX_NAMES)
    found, invalid = [], []
    for name in names:
        try:
            found.append(_with_value(service.find(call.caller.user, call.caller.tenant, name, secret=secret),
                                     call, decrypt=decrypt))
        except NotFound:
            invalid.append(name)
    return {"Parameters": found, "InvalidParameters": invalid}


def _list(call: Call, secret: bool) -> dict[str, Any]:
    p = call.params
    rows = service.visible(call.caller.user, call.caller.tenant, secret=secret)
    if (name := p.str("Name")) is not None:
        rows = rows.filter(name__icontains=name)
    if (path := p.str("Path")) is not None:
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        rows = rows.filter(name__startswith=prefix)
        if not p.bool("Recursive", default=True):
            rows = rows.exclude(name__regex=r"^" + re.escape(prefix) + r"[^/]*/")
    if not secret and (kind := p.str("Type", choices=("String", "StringList"))) is not None:
        rows = rows.filter(type=kind)
    if (tags := p.json("Tags", dict)) is not None:
        rows = tag_service.filter_by_tags(rows, TAG_RESOURCE, tag_service.check_tags(tags))
    field = SORT_FIELDS[p.str("SortField", default="Name", choices=tuple(SORT_FIELDS))]
    descending = p.str("SortOrder", default="Ascending", choices=("Ascending", "Descending")) == "Descending"
    rows = rows.order_by(F(field).desc() if descending else F(field).asc(), "pk")
    size = p.int("MaxResults", default=50, minimum=10, maximum=100)
    total = rows.count()
    items, next_token = page(rows, p.str("NextToken"), size)
    tags_by_id = tag_service.tags_of(TAG_RESOURCE, [i.pk for i in items])
    return {
        "Parameters": [_meta(i, tags_by_id.get(i.pk, {}), listed=True) for i in items],
        "MaxResults": size, "NextToken": next_token, "TotalCount": total,
    }


@action("CreateParameter")
def create_parameter(call: Call) -> dict[str, Any]:
    return _create(call, secret=False)


@action("CreateSecretParameter")
def create_secret_parameter(call: Call) -> dict[str, Any]:
    return _create(call, secret=True)


@action("UpdateParameter")
def update_parameter(call: Call) -> dict[str, Any]:
    return _update(call, secret=False)


@action("UpdateSecretParameter")
def update_secret_parameter(call: Call) -> dict[str, Any]:
    return _update(call, secret=True)


@action("DeleteParameter")
def delete_parameter(call: Call) -> dict[str, Any]:
    return _delete(call, secret=False)


@action("DeleteSecretParameter")
def delete_secret_parameter(call: Call) -> dict[str, Any]:
    return _delete(call, secret=True)


@action("GetParameter")
def get_parameter(call: Call) -> dict[str, Any]:
    return {"Parameter": _with_value(_find(call, False), call, _version(call))}


@action("GetSecretParameter")
def get_secret_parameter(call: Call) -> dict[str, Any]:
    decrypt = bool(call.params.bool("WithDecryption", default=False))
    return {"Parameter": _with_value(_find(call, True), call, _version(call), decrypt)}


@action("GetParameters")
def get_parameters(call: Call) -> dict[str, Any]:
    return _get_many(call, secret=False)


@action("GetSecretParameters")
def get_secret_parameters(call: Call) -> dict[str, Any]:
    return _get_many(call, secret=True, decrypt=bool(call.params.bool("WithDecryption", default=False)))


@action("ListParameters")
def list_parameters(call: Call) -> dict[str, Any]:
    return _list(call, secret=False)


@action("ListSecretParameters")
def list_secret_parameters(call: Call) -> dict[str, Any]:
    return _list(call, secret=True)
