"""Shared fixtures: two tenants, users of each role, and API clients acting as them."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from orchestration.models import Membership, Role, Tenant

# The vSphere simulator fixture (``vcsim``) for every test directory.
pytest_plugins = ["tests.simulator"]


@pytest.fixture
def tenant_a(db) -> Tenant:
    return Tenant.objects.create(name="Acme", email="ops@acme.test")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return Tenant.objects.create(name="Globex", email="ops@globex.test")


def make_member(tenant: Tenant, username: str, role: str, *, staff: bool = False):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, is_staff=staff)
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def admin_a(tenant_a):
    return make_member(tenant_a, "alice", Role.ADMIN, staff=True)


@pytest.fixture
def operator_a(tenant_a):
    return make_member(tenant_a, "oscar", Role.OPERATOR)


@pytest.fixture
def viewer_a(tenant_a):
    return make_member(tenant_a, "victor", Role.VIEWER)


@pytest.fixture
def admin_b(tenant_b):
    return make_member(tenant_b, "bob", Role.ADMIN, staff=True)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="root", password="pw-root", email="")


@pytest.fixture
def api():
    """An API client; ``api.as_user(u)`` authenticates it as ``u``."""
    client = APIClient()

    def as_user(user):
        client.force_authenticate(user)
        return client

    client.as_user = as_user
    return client
