"""``/healthz`` and ``/readyz`` for load balancers: no credentials, nothing revealed.

Their failure side (database or broker down → 503 with Retry-After) is in
tests/orchestration/engine/test_outages.py, against real processes.
"""
from __future__ import annotations

import pytest
from django.test import Client


def test_healthz_answers_without_the_database():
    """Liveness must not depend on the database: a restart would not fix an outage."""
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_read_only(path):
    assert Client().post(path).status_code == 405
