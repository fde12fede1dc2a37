"""Tenancy workflows shared by the admin, the API and the management commands."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from orchestration.errors import Forbidden
from orchestration.models import AccessKey, Membership, Project, Role, Tenant, is_platform_staff


@dataclass(frozen=True)
class IssuedAccessKey:
    """A newly created key with its plaintext secret: the only time the secret is handed out."""

    key: AccessKey
    secret: str


def create_tenant(name: str, email: str = "") -> Tenant:
    return Tenant.objects.create(name=name, email=email)


def update_tenant(tenant: Tenant, actor, changes: dict) -> Tenant:
    """Apply ``changes`` to a tenant on behalf of ``actor``.

    A tenant admin may edit their tenant's name and email, but switching the tenant
    on or off is the platform's decision: a tenant admin who disabled their own
    tenant would lock every member (themselves included) out with no way back.
    """
    if "enabled" in changes and changes["enabled"] != tenant.enabled and not is_platform_staff(actor):
        raise Forbidden("Only platform staff may enable or disable a tenant.", code="TenantEnabledPlatformOnly")
    for field, value in changes.items():
        setattr(tenant, field, value)
    tenant.save()
    return tenant


def create_project(tenant: Tenant, name: str) -> Project:
    return Project.objects.create(tenant=tenant, name=name)


@transaction.atomic
def ensure_member(tenant: Tenant, username: str, role: str = Role.ADMIN):
    """The user (created without a usable password if new) with a membership in ``tenant``."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": role})
    return user


def issue_access_key(tenant: Tenant, owner, description: str = "") -> IssuedAccessKey:
    key = AccessKey.objects.create(tenant=tenant, owner=owner, description=description)
    return IssuedAccessKey(key=key, secret=key.secret)
