"""API test fixtures: the engine's test actions, template builder and in-process driver."""
from __future__ import annotations

import pytest

from orchestration.services import executions as service
from tests.orchestration.engine import conftest as engine
from tests.orchestration.engine.conftest import drive, tpl

__all__ = ["drive", "tpl"]

make_template = engine.make_template  # the fixture, shared with the engine tests


def record(name: str, value=1, **extra) -> dict:
    return {"Name": name, "Action": "Test::Record", "Properties": {"Value": value}, **extra}


APPROVAL = tpl({"Name": "approve", "Action": "ACS::Approve", "Properties": {"Message": "ok?"}}, record("after"))
SIMPLE = tpl(record("one"), record("two"))
FAILING = tpl(record("before"), {"Name": "boom", "Action": "Test::Flaky", "Properties": {"Failures": 99}})




@pytest.fixture
def started(tenant_a, operator_a, make_template):
    """``started(body, **options)``: an execution started by the service and driven until it settles."""

    def start(body: dict, tenant=None, user=None, **options):
        options.setdefault("safety_check", "Skip")
        execution = service.start_execution(
            tenant=tenant or tenant_a, user=user or operator_a, template=make_template(body), **options
        )
        return drive(execution)

    return start
