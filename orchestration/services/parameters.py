"""Parameter store workflows: create, update (a new version), delete, find, read.

Every face (native API, Alibaba OOS, console, admin) goes through these functions, so the
rules of :mod:`.parameter_rules` and these permissions hold everywhere:

* reading a parameter's metadata, and a plain parameter's value, needs VIEW in its tenant;
* writing (create, update, delete) needs RUN — operators keep their runbooks' settings;
* a secret's plaintext is returned only by :func:`decrypted_value`, to tenant admins
  (MANAGE), and each such read — allowed or refused — is written to the audit trail.

The engine reads values through :func:`current_value`, :func:`secret_versions` and
:func:`secret_values`, which act for the system inside one execution's tenant.
"""
from __future__ import annotations

import secrets as token
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from orchestration.authorization import actor_name, allows, require
from orchestration.errors import Conflict, Forbidden, InvalidParameter, NotFound
from orchestration.models import Parameter, ParameterType, ParameterVersion, Scope, Tenant
from orchestration.services import audit

from . import parameter_rules as rules

REVEAL_ACTION = "RevealSecretParameter"


def entity(secret: bool) -> str:
    return "SecretParameter" if secret else "Parameter"


def visible(user, tenant: Tenant | int | None, *, secret: bool):
    """The parameters (or secret parameters) ``user`` may see, of ``tenant`` when given."""
    rows = Parameter.objects.for_user(user, Scope.VIEW).filter(secret=secret)
    return rows if tenant is None else rows.filter(tenant=tenant)


def find(user, tenant: Tenant | int | None, name: str, *, secret: bool, scope: str = Scope.VIEW) -> Parameter:
    """A parameter by name (or id) within what ``user`` may reach with ``scope``."""
    rows = Parameter.objects.for_user(user, scope).filter(secret=secret)
    if tenant is not None:
        rows = rows.filter(tenant=tenant)
    found = rows.filter(name=name).first() or rows.filter(pk=name).first()
    if found is None:
        raise NotFound(entity(secret), name)
    return found


def version_of(parameter: Parameter, version: int | None = None) -> ParameterVersion:
    number = parameter.version if version is None else version
    found = parameter.versions.filter(version=number).first()
    if found is None:
        raise NotFound(f"{entity(parameter.secret)}Version", f"{parameter.name} v{number}")
    return found


def plain_value(parameter: Parameter, version: int | None = None) -> str:
    """A plain parameter's value; a secret's is never returned here."""
    if parameter.secret:
        raise Forbidden("a secret parameter's value is read only with decryption", code="Forbidden")
    return version_of(parameter, version).value


@transaction.atomic
def create(*, tenant: Tenant, actor, name: Any, value: Any, secret: bool, type: Any = None,
           description: Any = None, constraints: Any = None) -> Parameter:
    require(actor, tenant, Scope.RUN, "writing parameters")
    kind = rules.check_type(type, secret=secret)
    checked = rules.check_constraints(constraints)
    parameter = Parameter(
        id="p-" + token.token_hex(10), tenant=tenant, name=rules.check_name(name), secret=secret, type=kind,
        description=rules.check_description(description), constraints=checked, version=1,
        created_by=actor_name(actor), updated_by=actor_name(actor),
    )
    text = rules.check_value(value, kind, checked)
    try:
        with transaction.atomic():
            parameter.save(force_insert=True)
    except IntegrityError:
        raise Conflict(f"{entity(secret)} {name!r} already exists.",
                       code=f"EntityAlreadyExists.{entity(secret)}") from None
    ParameterVersion.objects.create(parameter=parameter, version=1, value=text, created_by=actor_name(actor))
    return parameter


@transaction.atomic
def update(parameter: Parameter, *, actor, value: Any = None, description: Any = None) -> Parameter:
    """A new value makes a new version; a description alone changes the parameter in place."""
    require(actor, parameter.tenant_id, Scope.RUN, "writing parameters")
    parameter = Parameter.objects.select_for_update().get(pk=parameter.pk)
    if description is not None:
        parameter.description = rules.check_description(description)
    if value is not None:
        text = rules.check_value(value, parameter.type, parameter.constraints)
        parameter.version += 1
        ParameterVersion.objects.create(parameter=parameter, version=parameter.version, value=text,
                                        created_by=actor_name(actor))
    elif description is None:
        raise InvalidParameter("Value", "nothing to update: give a Value or a Description", code="MissingParameter")
    parameter.updated_by = actor_name(actor)
    parameter.save()
    return parameter


def delete(parameter: Parameter, *, actor) -> None:
    require(actor, parameter.tenant_id, Scope.RUN, "deleting parameters")
    parameter.delete()


def decrypted_value(parameter: Parameter, *, actor, face: str, version: int | None = None,
                    request: HttpRequest | None = None, access_key_id: str = "", request_id: str = "") -> str:
    """A secret's plaintext, for a tenant admin only; the read is recorded either way."""
    allowed = allows(actor, parameter.tenant_id, Scope.MANAGE)
    audit.record(face=face, action=REVEAL_ACTION, ok=allowed, request=request, user=actor,
                 access_key_id=access_key_id, tenant_id=parameter.tenant_id, object_type="secret-parameter",
                 object_id=parameter.name, error_code="" if allowed else "Forbidden", request_id=request_id)
    if not allowed:
        raise Forbidden(f"Only an admin of tenant {parameter.tenant_id} may read a secret parameter's value.",
                        code="Forbidden.WithDecryption")
    return version_of(parameter, version).value


# -- the engine's reads (inside one execution's tenant) -------------------------------------------


def current_value(tenant_id: int, name: str) -> str | list[str] | None:
    """``{{ oos:Name }}``: the newest value (a list for a StringList), None if there is none."""
    parameter = Parameter.objects.filter(tenant_id=tenant_id, secret=False, name=name).first()
    if parameter is None:
        return None
    text = version_of(parameter).value
    return rules.items_of(text, parameter.type) if parameter.type == ParameterType.STRING_LIST else text


def secret_versions(tenant_id: int, names: set[str]) -> dict[str, int]:
    """The newest version of each named secret that exists."""
    rows = Parameter.objects.filter(tenant_id=tenant_id, secret=True, name__in=names)
    return dict(rows.values_list("name", "version"))


def secret_values(tenant_id: int, versions: dict[str, int]) -> dict[str, str]:
    """The plaintext of each ``name: version`` (those deleted since are left out)."""
    if not versions:
        return {}
    rows = ParameterVersion.objects.filter(parameter__tenant_id=tenant_id, parameter__secret=True,
                                           parameter__name__in=list(versions)).select_related("parameter")
    return {row.parameter.name: row.value for row in rows if versions.get(row.parameter.name) == row.version}
