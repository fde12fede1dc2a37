"""vSphere fixtures for the console tests: the govmomi simulator (VCSIM_URL) and a synced vCenter.

The simulator itself (``vcsim``, ``make_vcenter``) comes from ``tests/simulator.py``;
imported by ``tests/console/conftest.py`` so every console test can use these.
"""
from __future__ import annotations

import pytest

from tests.simulator import make_vcenter
from vsphere.models import VCenter
from vsphere.services import connection, task_labels


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
