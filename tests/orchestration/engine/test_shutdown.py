"""A worker stopped by SIGTERM hands back the execution it holds, wherever the signal lands."""
from __future__ import annotations

import pytest
from django.utils import timezone

from orchestration.engine import leases, runner
from orchestration.engine.shutdown import WorkerShutdown
from orchestration.models import Execution
from orchestration.services.executions import start_execution

from .conftest import tpl

pytestmark = pytest.mark.django_db


def test_a_signal_during_the_last_release_still_hands_the_lease_back(tenant_a, operator_a, make_template,
                                                                     monkeypatch):
    template = make_template(tpl({"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT30S"}}))
    execution = start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    release = leases.release

    def signalled(*args, **kwargs):  # SIGTERM raises WorkerShutdown in the worker, here in the release
        monkeypatch.setattr(leases, "release", release)  # the hand-back itself is not interrupted
        raise WorkerShutdown()

    monkeypatch.setattr(leases, "release", signalled)
    with pytest.raises(WorkerShutdown):
        runner.advance(execution.pk)  # starts the 30 s sleep, then releases until then
    row = Execution.objects.get(pk=execution.pk)
    assert row.lease_owner == "" and row.lease_expires_at is None  # not held until the lease expires
    assert row.wake_at <= timezone.now()  # due at once: another worker resumes it
