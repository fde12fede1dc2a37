"""The one answer to "may this actor do this in this tenant?".

Every service that changes or reveals a tenant's data calls :func:`require` (or asks
:func:`allows` to decide what to offer); faces, the console, the native API and the admin
never compare roles themselves. Rows are restricted by the same rule through
``Model.objects.for_user(actor, scope)`` (:mod:`orchestration.models.tenancy`).

Actors are Django users, or :data:`SYSTEM` for work nobody asked for at that moment
(the engine starting a child execution, a timer trigger, management commands), so "no
user" never silently means "allowed".

The rule: platform staff (superusers) may do anything in any tenant; anyone else needs a
membership in the (enabled) tenant whose role grants the scope — viewer reads, operator
also runs and changes, admin also manages (deletes, members, keys).
"""
from __future__ import annotations

from orchestration.errors import Forbidden
from orchestration.models.tenancy import SCOPE_ROLES, Membership, Role, Scope, Tenant

SYSTEM_NAME = "system"  # how logs and records name the system actor
VERBS = {Scope.VIEW: "reading", Scope.RUN: "running or changing", Scope.MANAGE: "managing"}


class SystemActor:
    """The service itself: the engine, triggers and management commands. Allowed everywhere."""

    is_system = True
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None

    def get_username(self) -> str:
        return SYSTEM_NAME

    def __str__(self) -> str:
        return SYSTEM_NAME

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def actor_name(actor, access_key_id: str = "") -> str:
    """How logs and records name an actor: the user name, else the access key id, else "system"."""
    if actor is not None and not is_system(actor) and getattr(actor, "is_authenticated", False):
        return actor.get_username()
    return access_key_id or SYSTEM_NAME


def user_of(actor):
    """The Django user behind ``actor``, for "created by" columns; ``None`` for the system."""
    if actor is None or is_system(actor) or not actor.is_authenticated:
        return None
    return actor


def allows(actor, tenant: Tenant | int, scope: str) -> bool:
    """Whether ``actor`` may act with ``scope`` (VIEW, RUN, MANAGE) in ``tenant``."""
    if is_system(actor):
        return True
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    tenant_id = tenant.pk if isinstance(tenant, Tenant) else tenant
    return Membership.objects.filter(
        user=actor, tenant_id=tenant_id, role__in=SCOPE_ROLES[scope], tenant__enabled=True
    ).exists()


def require(actor, tenant: Tenant | int, scope: str, what: str = "") -> None:
    """Raise :class:`Forbidden` unless :func:`allows`; ``what`` says what was refused ("running templates")."""
    if allows(actor, tenant, scope):
        return
    tenant_id = tenant.pk if isinstance(tenant, Tenant) else tenant
    action = what or f"{VERBS.get(scope, scope)} its objects"
    raise Forbidden(f"The role of {actor_name(actor)} in tenant {tenant_id} does not allow {action}.")


def administers_any_tenant(user) -> bool:
    """Whether ``user`` is an admin of at least one enabled tenant (what opens the Django admin to them)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.ADMIN, tenant__enabled=True).exists()
