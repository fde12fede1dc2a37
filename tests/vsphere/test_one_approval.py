"""One approval, one decision: a built-in runbook's approval step covers the high-risk
loop it leads to under SafetyCheck ConfirmEveryHighRiskAction, and the approver is shown
the branch that will run with the VMs it stops."""
from __future__ import annotations

import pytest

from orchestration.errors import Forbidden
from orchestration.models import TaskExecution
from orchestration.services import approvals
from orchestration.services.executions import notify_execution, start_execution
from templates_app.models import Template
from tests.orchestration.engine.conftest import drive
from tests.vsphere.test_engine_actions import ensure_powered_on, power, vm_named
from vsphere.services.sync import sync_vcenter

pytestmark = pytest.mark.django_db
NAMES = ("DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1")


def test_the_approval_covers_the_stop_loop_and_shows_its_vms(vcenter, tenant_a, operator_a, admin_a):
    sync_vcenter(vcenter)
    for name in NAMES:
        ensure_powered_on(vcenter, name)
    template = Template.objects.get(name="ACS-VSphere-StopVMsByNamePattern", tenant__isnull=True)
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=template,
                                      parameters={"NamePattern": "DC0_C0_RP0_VM*", "StopMode": "PowerOff"}),
                      timeout=60)
    waiting = TaskExecution.objects.get(execution=execution, status="Waiting")
    steps = approvals.preview(waiting)
    assert [s.task_name for s in steps] == ["powerOff"]  # the Choice is decided: not shutdownGuests
    assert sorted(steps[0].items) == sorted(vm_named(vcenter, n).moref for n in NAMES)

    tenant_a.allow_self_approval = False
    tenant_a.save()
    with pytest.raises(Forbidden, match="requires another member to approve it"):
        notify_execution(execution, operator_a, "Approve")
    notify_execution(execution, admin_a, "Approve")
    execution = drive(execution, timeout=60)
    assert execution.status == "Success", execution.status_message
    assert not TaskExecution.objects.filter(execution=execution, extra__waiting_for="confirmation").exists()
    assert all(power(vcenter, name) == "poweredOff" for name in NAMES)
    for name in NAMES:
        ensure_powered_on(vcenter, name)
