"""Execution actions through aliyun-python-sdk-oos: a user's script, unchanged but for endpoint and keys."""
from __future__ import annotations

import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkoos.request.v20190601 import (
    CancelExecutionRequest,
    CreateTemplateRequest,
    DeleteExecutionsRequest,
    GetExecutionTemplateRequest,
    ListExecutionLogsRequest,
    ListExecutionsRequest,
    ListTagResourcesRequest,
    ListTaskExecutionsRequest,
    NotifyExecutionRequest,
    StartExecutionRequest,
    TagResourcesRequest,
)

from orchestration.engine.runner import advance
from orchestration.models import Execution

from .conftest import Acs

APPROVE_THEN_SLEEP = {
    "FormatVersion": "OOS-2019-06-01",
    "Parameters": {"Who": {"Type": "String", "Default": "ops"}},
    "Tasks": [
        {"Name": "approve", "Action": "ACS::Approve", "Properties": {}},
        {"Name": "pause", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}},
    ],
}


def settle(execution_id: str) -> Execution:
    """Advance in-process (what a django-q2 worker does) until the execution waits or ends."""
    for _ in range(20):
        advance(execution_id)
        current = Execution.objects.get(pk=execution_id)
        if current.is_finished or current.wake_at is None:
            return current
    return current


def start(acs: Acs, **params) -> dict:
    req = StartExecutionRequest.StartExecutionRequest()
    for key, value in params.items():
        getattr(req, f"set_{key}")(value)
    return acs(req)["Execution"]


def test_start_approve_list_tag_delete(acs):
    create = CreateTemplateRequest.CreateTemplateRequest()
    create.set_TemplateName("ApproveThenSleep")
    create.set_Content(json.dumps(APPROVE_THEN_SLEEP))
    acs(create)

    execution = start(acs, TemplateName="ApproveThenSleep", Parameters=json.dumps({"Who": "alice"}),
                      ClientToken="token-1")
    execution_id = execution["ExecutionId"]
    assert execution_id.startswith("exec-") and execution["Parameters"] == {"Who": "alice"}
    assert execution["TemplateVersion"] == "v1" and execution["Mode"] == "Automatic"
    again = start(acs, TemplateName="ApproveThenSleep", ClientToken="token-1")
    assert again["ExecutionId"] == execution_id  # idempotent ClientToken

    assert settle(execution_id).status == "Waiting"
    listed = acs(ListExecutionsRequest.ListExecutionsRequest())["Executions"]
    assert [(e["ExecutionId"], e["Status"]) for e in listed] == [(execution_id, "Waiting")]
    assert listed[0]["CurrentTasks"][0]["TaskName"] == "approve"

    notify = NotifyExecutionRequest.NotifyExecutionRequest()
    notify.set_ExecutionId(execution_id)
    notify.set_NotifyType("Approve")
    notify.set_NotifyNote("go ahead")
    acs(notify)
    assert settle(execution_id).status == "Success"

    tasks = ListTaskExecutionsRequest.ListTaskExecutionsRequest()
    tasks.set_ExecutionId(execution_id)
    tasks.set_SortOrder("Ascending")
    rows = acs(tasks)["TaskExecutions"]
    assert [(t["TaskName"], t["Status"]) for t in rows] == [("approve", "Success"), ("pause", "Success")]
    assert rows[0]["TaskAction"] == "ACS::Approve" and rows[0]["StartDate"].endswith("Z")

    logs = ListExecutionLogsRequest.ListExecutionLogsRequest()
    logs.set_ExecutionId(execution_id)
    answer = acs(logs)
    assert answer["ExecutionLogs"] and any("Approve" in log["Message"] for log in answer["ExecutionLogs"])
    assert answer["ExecutionLogs"][0]["Timestamp"].endswith("Z")

    template = GetExecutionTemplateRequest.GetExecutionTemplateRequest()
    template.set_ExecutionId(execution_id)
    got = acs(template)
    assert json.loads(got["Content"]) == APPROVE_THEN_SLEEP and got["Template"]["TemplateName"] == "ApproveThenSleep"

    tag = TagResourcesRequest.TagResourcesRequest()
    tag.set_ResourceType("execution")
    tag.set_ResourceIds(json.dumps([execution_id]))
    tag.set_Tags(json.dumps({"ticket": "OPS-1"}))
    acs(tag)
    tagged = ListTagResourcesRequest.ListTagResourcesRequest()
    tagged.set_ResourceType("execution")
    assert acs(tagged)["TagResources"]["TagResource"][0]["ResourceId"] == execution_id
    by_tag = ListExecutionsRequest.ListExecutionsRequest()
    by_tag.set_Tags(json.dumps({"ticket": "OPS-1"}))
    assert [e["ExecutionId"] for e in acs(by_tag)["Executions"]] == [execution_id]

    delete = DeleteExecutionsRequest.DeleteExecutionsRequest()
    delete.set_ExecutionIds(json.dumps([execution_id]))
    acs(delete)
    assert not Execution.objects.filter(pk=execution_id).exists()


def test_cancel_reject_and_errors(acs):
    content = json.dumps(APPROVE_THEN_SLEEP)
    create = CreateTemplateRequest.CreateTemplateRequest()
    create.set_TemplateName("Gate")
    create.set_Content(content)
    acs(create)

    rejected = start(acs, TemplateName="Gate")["ExecutionId"]
    settle(rejected)
    notify = NotifyExecutionRequest.NotifyExecutionRequest()
    notify.set_ExecutionId(rejected)
    notify.set_NotifyType("Reject")
    acs(notify)
    assert settle(rejected).status == "Failed"

    cancelled = start(acs, TemplateName="Gate")["ExecutionId"]
    settle(cancelled)
    cancel = CancelExecutionRequest.CancelExecutionRequest()
    cancel.set_ExecutionId(cancelled)
    acs(cancel)
    assert settle(cancelled).status == "Cancelled"

    running = start(acs, TemplateName="Gate")["ExecutionId"]
    settle(running)
    delete = DeleteExecutionsRequest.DeleteExecutionsRequest()
    delete.set_ExecutionIds(json.dumps([running]))
    with pytest.raises(ServerException) as err:
        acs(delete)
    assert err.value.get_error_code() == "InvalidStatus.Execution"
    delete.set_ExecutionIds(json.dumps([f"exec-{i}" for i in range(101)]))
    with pytest.raises(ServerException) as err:
        acs(delete)
    assert "ExecutionIds" in err.value.get_error_msg()

    with pytest.raises(ServerException) as err:
        start(acs, TemplateName="Gate", Parameters=json.dumps({"Nope": 1}))
    assert err.value.get_error_code() == "InvalidParameter" and "Parameters" in err.value.get_error_msg()
    with pytest.raises(ServerException) as err:
        start(acs, TemplateName="Missing")
    assert err.value.get_error_code() == "EntityNotExists.Template"
    with pytest.raises(ServerException) as err:
        start(acs, TemplateName="Gate", Mode="Sideways")
    assert err.value.get_error_code() == "InvalidParameter"
    notify.set_ExecutionId("exec-missing")
    with pytest.raises(ServerException) as err:
        acs(notify)
    assert err.value.get_http_status() == 404 and err.value.get_error_code() == "EntityNotExists.Execution"
