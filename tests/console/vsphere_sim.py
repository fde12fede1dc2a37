"""vSphere fixtures for the console tests: the govmomi simulator (VCSIM_URL) and a synced vCenter.

The same pattern as ``tests/vsphere/conftest.py`` (whose fixtures are local to that
directory); imported by ``tests/console/conftest.py`` so every console test can use them.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

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


def make_vcenter(vcsim: dict, tenants=(), **overrides) -> VCenter:
    fields = {"name": "sim", "host": vcsim["host"], "port": vcsim["port"], "user": vcsim["user"],
              "password": vcsim["password"], "protocol": vcsim["protocol"], **overrides}
    vcenter = VCenter.objects.create(**fields)
    vcenter.tenants.set(tenants)
    return vcenter


@pytest.fixture
def sim_vcenter(db, vcsim, tenant_a) -> VCenter:
    """A simulator vCenter allowed to tenant A, not synced yet."""
    vcenter = make_vcenter(vcsim, [tenant_a], name="lab-vcsim")
    yield vcenter
    connection.close_all()
    task_labels.clear_cache()


@pytest.fixture
def synced_vcenter(sim_vcenter) -> VCenter:
    """The simulator vCenter after one inventory and task sync (through the service)."""
    from vsphere.services.sync import sync_vcenter

    summary = sync_vcenter(sim_vcenter)
    assert summary["ok"], summary
    sim_vcenter.refresh_from_db()
    return sim_vcenter


@pytest.fixture
def broken_vcenter(db, tenant_a) -> VCenter:
    """A vCenter nobody listens at (a closed local port): its checks and syncs fail with a reason."""
    vcenter = VCenter.objects.create(name="lab-down", host="127.0.0.1", port=9, user="u", password="p",
                                     protocol="http")
    vcenter.tenants.set([tenant_a])
    yield vcenter
    connection.close_all()
