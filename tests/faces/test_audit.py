"""Each signed face writes one audit event per state-changing call, with its official SDK as the caller."""
from __future__ import annotations

import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkoos.request.v20190601 import (
    CancelExecutionRequest,
    CreateTemplateRequest,
    ListExecutionsRequest,
    StartExecutionRequest,
)
from baidubce.exception import BceHttpClientError
from ucloud.core.exc import RetCodeException

from orchestration.models import AuditEvent, Execution
from tests.faces.orchtask_fixtures import moref, step, synced  # noqa: F401 (fixture)
from tests.vsphere.conftest import _fresh_sessions  # noqa: F401 (fixtures)

from .conftest import Acs
from .test_alibaba_executions import APPROVE_THEN_SLEEP, settle
from .test_baidu import STOP, oos
from .test_ucloud import ucloud

LOCAL = "127.0.0.1"


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id"))


def assert_by(event: AuditEvent, signer, face: str, action: str, result: str = "success") -> None:
    assert (event.face, event.action, event.result) == (face, action, result), vars(event)
    assert (event.actor, event.user_id, event.access_key_id) == (signer.user.username, signer.user.pk, signer.key_id)
    assert (event.tenant_id, event.source_address) == (signer.tenant.pk, LOCAL)
    assert event.request_id


def test_alibaba(server, operator, viewer):
    acs = Acs(server, operator)
    create = CreateTemplateRequest.CreateTemplateRequest()
    create.set_TemplateName("ApproveThenSleep")
    create.set_Content(json.dumps(APPROVE_THEN_SLEEP))
    acs(create)
    start = StartExecutionRequest.StartExecutionRequest()
    start.set_TemplateName("ApproveThenSleep")
    execution_id = acs(start)["Execution"]["ExecutionId"]
    settle(execution_id)
    acs(ListExecutionsRequest.ListExecutionsRequest())  # reads are not recorded
    cancel = CancelExecutionRequest.CancelExecutionRequest()
    cancel.set_ExecutionId(execution_id)
    acs(cancel)

    created, started, cancelled = events()
    assert_by(created, operator, "alibaba", "CreateTemplate")
    assert (created.object_type, started.object_type, started.object_id) == ("template", "execution", execution_id)
    assert_by(started, operator, "alibaba", "StartExecution")
    assert_by(cancelled, operator, "alibaba", "CancelExecution")
    assert (cancelled.object_type, cancelled.object_id) == ("execution", execution_id)
    assert settle(execution_id).status == "Cancelled"
    assert Execution.objects.get(pk=execution_id).logs.filter(
        message__endswith=f"Cancelled by {operator.user.username}.").exists()

    with pytest.raises(ServerException) as refused:
        Acs(server, viewer)(start)
    event = events()[-1]
    assert_by(event, viewer, "alibaba", "StartExecution", "failure")
    assert event.error_code == refused.value.get_error_code() and event.request_id == refused.value.get_request_id()

    with pytest.raises(ServerException):
        Acs(server, (operator.key_id, "wrong secret"))(start)
    unsigned = events()[-1]
    assert (unsigned.result, unsigned.actor, unsigned.tenant_id, unsigned.user_id) == ("failure", "", None, None)
    assert len(events()) == 5


def test_ucloud(server, operator, synced):  # noqa: F811
    client = ucloud(server, operator)
    client.invoke("DescribeOrchTaskType", {"CompanyID": operator.tenant.pk})
    assert events() == []
    base = {"CompanyID": operator.tenant.pk, "Name": "n", "TaskType": "StartInOrder", "ResourceType": "VM"}
    task_id = client.invoke("CreateOrchTask", {**base, "Steps": [step(1, moref(synced, "DC0_H0_VM0"))]})["TaskID"]
    [created] = events()
    assert_by(created, operator, "ucloud", "CreateOrchTask")
    assert (created.object_type, created.object_id) == ("orchtask", task_id)

    with pytest.raises(RetCodeException):
        client.invoke("CreateOrchTask", base)  # no Steps
    failed = events()[-1]
    assert_by(failed, operator, "ucloud", "CreateOrchTask", "failure")
    assert failed.error_code == "230" and len(events()) == 2


def test_baidu(server, operator, viewer):
    client = oos(server, operator.key_id, operator.secret)
    template_id = client.create_template("audited", [STOP]).result.id
    client.get_template_detail("audited")  # reads are not recorded
    [created] = events()
    assert_by(created, operator, "baidu", "create_template")
    assert (created.object_type, created.object_id) == ("template", template_id)

    with pytest.raises(BceHttpClientError):
        oos(server, viewer.key_id, viewer.secret).create_template("viewer", [STOP])
    refused = events()[-1]
    assert_by(refused, viewer, "baidu", "create_template", "failure")
    assert refused.error_code and len(events()) == 2
