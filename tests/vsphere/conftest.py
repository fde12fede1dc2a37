"""Fixtures for the vSphere tests: the govmomi simulator (VCSIM_URL) and vCenters pointing at it."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from orchestration.models import Tenant
from vsphere.models import VCenter
from vsphere.services import connection, task_labels


@pytest.fixture(scope="session")
def vcsim() -> dict:
    """The simulator's address parts; skips only when VCSIM_URL is unset (the test command always sets it)."""
    url = os.environ.get("VCSIM_URL")
    if not url:
        pytest.skip("VCSIM_URL is not set: start the simulator with `bash tests/infra/vcsim.sh start` "
                    "(tests/infra/run-tests.sh does this) and export its VCSIM_URL")
    parts = urlsplit(url)
    return {"host": parts.hostname, "port": parts.port, "user": parts.username or "user",
            "password": parts.password or "pass", "protocol": parts.scheme}


def make_vcenter(vcsim: dict, tenants: list[Tenant] = (), **overrides) -> VCenter:
    fields = {"name": "sim", "host": vcsim["host"], "port": vcsim["port"], "user": vcsim["user"],
              "password": vcsim["password"], "protocol": vcsim["protocol"], **overrides}
    vcenter = VCenter.objects.create(**fields)
    vcenter.tenants.set(tenants)
    return vcenter


@pytest.fixture
def vcenter(db, vcsim, tenant_a) -> VCenter:
    """A registered simulator vCenter allowed to tenant A (uuid read from the simulator)."""
    from vsphere.services.vcenters import check_connection

    vcenter = make_vcenter(vcsim, [tenant_a])
    assert check_connection(vcenter).ok
    return vcenter


@pytest.fixture(autouse=True)
def _fresh_sessions():
    """Each test starts without pooled sessions (primary keys are reused between tests)."""
    yield
    connection.close_all()
    task_labels.clear_cache()
