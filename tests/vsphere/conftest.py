"""Fixtures for the vSphere tests: the govmomi simulator (VCSIM_URL) and vCenters pointing at it."""
from __future__ import annotations

import pytest

from tests.simulator import make_vcenter
from vsphere.models import VCenter
from vsphere.services import connection, task_labels


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
