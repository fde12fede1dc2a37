"""The govmomi vSphere simulator for tests: its address (``VCSIM_URL``) and vCenters pointing at it.

Shared by the vSphere, engine and console tests; ``tests/infra/run-tests.sh`` starts the
simulator and exports ``VCSIM_URL``.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from vsphere.models import VCenter


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
