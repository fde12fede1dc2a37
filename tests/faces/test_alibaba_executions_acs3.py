"""Execution actions through the new SDK alibabacloud_oos20190601 (ACS3-HMAC-SHA256, POST with query)."""
from __future__ import annotations

import json

import pytest
from alibabacloud_oos20190601 import models as oos_models
from Tea.exceptions import TeaException

from orchestration.models import Execution
from tests.orchestration.engine.conftest import drive

from .conftest import Tea

GATE = {
    "FormatVersion": "OOS-2019-06-01",
    "Parameters": {"Who": {"Type": "String", "Default": "ops"}},
    "Tasks": [
        {"Name": "approve", "Action": "ACS::Approve", "Properties": {}},
        {"Name": "pause", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}},
    ],
}
LOOP = {
    "FormatVersion": "OOS-2019-06-01",
    "Tasks": [
        {"Name": "each", "Action": "Test::Record", "Properties": {"Value": "{{ ACS::TaskLoopItem }}"},
         "Loop": {"Items": ["a", "b"]}},
    ],
}


def create_template(tea, name: str, content: dict) -> None:
    tea.create_template(oos_models.CreateTemplateRequest(template_name=name, content=json.dumps(content)))


def test_start_notify_and_list_through_acs3(tea):
    create_template(tea, "TeaGate", GATE)
    started = tea.start_execution(oos_models.StartExecutionRequest(
        template_name="TeaGate", parameters=json.dumps({"Who": "alice"}), client_token="tea-1",
        tags={"ticket": "OPS-7"}, description="through ACS3",
    )).body.execution
    execution_id = started.execution_id
    assert execution_id.startswith("exec-") and started.template_name == "TeaGate"
    assert started.template_version == "v1" and started.mode == "Automatic" and started.description == "through ACS3"
    assert started.parameters == {"Who": "alice"} and started.create_date.endswith("Z")
    again = tea.start_execution(oos_models.StartExecutionRequest(template_name="TeaGate", client_token="tea-1"))
    assert again.body.execution.execution_id == execution_id

    assert drive(execution_id).status == "Waiting"
    listed = tea.list_executions(oos_models.ListExecutionsRequest(template_name="TeaGate")).body
    assert [(e.execution_id, e.status) for e in listed.executions] == [(execution_id, "Waiting")]
    assert listed.executions[0].current_tasks[0].task_name == "approve"
    assert listed.executions[0].tags == {"ticket": "OPS-7"} and listed.max_results == 50
    by_tag = tea.list_executions(oos_models.ListExecutionsRequest(tags={"ticket": "OPS-7"})).body.executions
    assert [e.execution_id for e in by_tag] == [execution_id]
    by_status = tea.list_executions(oos_models.ListExecutionsRequest(status="Success")).body.executions
    assert by_status == []

    waiting = tea.list_task_executions(oos_models.ListTaskExecutionsRequest(
        execution_id=execution_id, status="Waiting"
    )).body.task_executions
    assert [t.task_name for t in waiting] == ["approve"]
    tea.notify_execution(oos_models.NotifyExecutionRequest(
        execution_id=execution_id, notify_type="Approve", task_execution_id=waiting[0].task_execution_id,
        notify_note="ship it",
    ))
    assert drive(execution_id).status == "Success"

    tasks = tea.list_task_executions(oos_models.ListTaskExecutionsRequest(
        execution_id=execution_id, sort_order="Ascending", max_results=20
    )).body
    assert [(t.task_name, t.status) for t in tasks.task_executions] == [("approve", "Success"), ("pause", "Success")]
    assert tasks.task_executions[0].task_action == "ACS::Approve" and tasks.max_results == 20
    assert tasks.task_executions[0].extra_data == {"NotifyNote": "ship it"}
    assert tasks.task_executions[1].properties == {"Duration": "PT0S"}
    assert tasks.task_executions[0].end_date.endswith("Z") and tasks.next_token == ""

    logs = tea.list_execution_logs(oos_models.ListExecutionLogsRequest(execution_id=execution_id)).body
    assert logs.execution_logs and logs.is_truncated is False
    assert any("Approve by oscar: ship it" in log.message for log in logs.execution_logs)
    assert all(log.timestamp.endswith("Z") for log in logs.execution_logs)
    task_logs = tea.list_execution_logs(oos_models.ListExecutionLogsRequest(
        execution_id=execution_id, task_execution_id=waiting[0].task_execution_id
    )).body.execution_logs
    assert task_logs and {log.task_execution_id for log in task_logs} == {waiting[0].task_execution_id}

    finished = tea.list_executions(oos_models.ListExecutionsRequest(execution_id=execution_id)).body.executions[0]
    assert finished.status == "Success" and finished.end_date.endswith("Z")


def test_inline_content_loops_and_paging(tea):
    inline = tea.start_execution(oos_models.StartExecutionRequest(template_content=json.dumps(LOOP))).body.execution
    assert inline.template_id == "" and drive(inline.execution_id).status == "Success"
    top = tea.list_task_executions(oos_models.ListTaskExecutionsRequest(
        execution_id=inline.execution_id
    )).body.task_executions
    assert [t.task_name for t in top] == ["each"] and top[0].loop
    children = tea.list_task_executions(oos_models.ListTaskExecutionsRequest(
        execution_id=inline.execution_id, parent_task_execution_id=top[0].task_execution_id, sort_order="Ascending",
    )).body.task_executions
    assert [t.loop_item for t in children] == ["a", "b"]
    assert {t.parent_task_execution_id for t in children} == {top[0].task_execution_id}

    for _ in range(11):
        tea.start_execution(oos_models.StartExecutionRequest(template_content=json.dumps(LOOP)))
    first = tea.list_executions(oos_models.ListExecutionsRequest(max_results=10)).body
    assert len(first.executions) == 10 and first.next_token
    rest = tea.list_executions(oos_models.ListExecutionsRequest(max_results=10, next_token=first.next_token)).body
    assert len(rest.executions) == 2 and rest.next_token == ""
    assert not {e.execution_id for e in first.executions} & {e.execution_id for e in rest.executions}


def test_acs3_execution_errors(server, tea, outsider):
    create_template(tea, "TeaGate", GATE)
    with pytest.raises(TeaException) as err:
        tea.start_execution(oos_models.StartExecutionRequest(template_name="NoSuchTemplate"))
    assert err.value.code == "EntityNotExists.Template" and err.value.status_code == 404
    with pytest.raises(TeaException) as err:
        tea.start_execution(oos_models.StartExecutionRequest(template_name="TeaGate", parameters='{"Nope": 1}'))
    assert err.value.code == "InvalidParameter" and "Parameters" in err.value.message
    with pytest.raises(TeaException) as err:
        tea.start_execution(oos_models.StartExecutionRequest(template_name="TeaGate", parameters="{not json"))
    assert err.value.code == "InvalidParameter" and "Parameters" in err.value.message

    started = tea.start_execution(oos_models.StartExecutionRequest(template_name="TeaGate"))
    execution_id = started.body.execution.execution_id
    drive(execution_id)
    with pytest.raises(TeaException) as err:
        tea.notify_execution(oos_models.NotifyExecutionRequest(execution_id=execution_id, notify_type="Sideways"))
    assert err.value.code == "InvalidParameter" and "NotifyType" in err.value.message
    with pytest.raises(TeaException) as err:
        tea.notify_execution(oos_models.NotifyExecutionRequest(execution_id="exec-missing", notify_type="Approve"))
    assert err.value.code == "EntityNotExists.Execution" and err.value.status_code == 404
    with pytest.raises(TeaException) as err:
        tea.list_task_executions(oos_models.ListTaskExecutionsRequest(execution_id=execution_id, max_results=5))
    assert err.value.code == "InvalidParameter" and "MaxResults" in err.value.message
    with pytest.raises(TeaException) as err:
        tea.list_executions(oos_models.ListExecutionsRequest(next_token="garbage!"))
    assert err.value.code == "InvalidParameter" and "NextToken" in err.value.message

    stranger = Tea(server, outsider)
    with pytest.raises(TeaException) as err:
        stranger.list_execution_logs(oos_models.ListExecutionLogsRequest(execution_id=execution_id))
    assert err.value.code == "EntityNotExists.Execution"
    with pytest.raises(TeaException) as err:
        stranger.notify_execution(oos_models.NotifyExecutionRequest(execution_id=execution_id, notify_type="Approve"))
    assert err.value.code == "EntityNotExists.Execution"
    assert stranger.list_executions(oos_models.ListExecutionsRequest()).body.executions == []
    assert stranger.list_task_executions(oos_models.ListTaskExecutionsRequest(
        execution_id=execution_id
    )).body.task_executions == []

    tea.notify_execution(oos_models.NotifyExecutionRequest(execution_id=execution_id, notify_type="Reject"))
    assert drive(execution_id).status == "Failed"
    with pytest.raises(TeaException) as err:
        tea.notify_execution(oos_models.NotifyExecutionRequest(execution_id=execution_id, notify_type="Approve"))
    assert err.value.code == "InvalidStatus.Execution"
    assert Execution.objects.get(pk=execution_id).status == "Failed"


def test_debug_complete_filters_and_log_paging(tea):
    create_template(tea, "TeaLoop", LOOP)
    debug = tea.start_execution(oos_models.StartExecutionRequest(template_name="TeaLoop", mode="Debug"))
    debug_id = debug.body.execution.execution_id
    assert drive(debug_id).status == "Waiting"
    tea.notify_execution(oos_models.NotifyExecutionRequest(
        execution_id=debug_id, notify_type="ExecuteTask", task_name="each"
    ))
    assert drive(debug_id).status in ("Success", "Waiting")

    gate = tea.start_execution(oos_models.StartExecutionRequest(template_content=json.dumps(GATE)))
    gate_id = gate.body.execution.execution_id
    drive(gate_id)
    tea.notify_execution(oos_models.NotifyExecutionRequest(
        execution_id=gate_id, notify_type="CompleteExecution", execution_status="Cancelled", notify_note="not today"
    ))
    assert drive(gate_id).status == "Cancelled"
    cancelled = tea.list_executions(oos_models.ListExecutionsRequest(status="Cancelled")).body.executions
    assert [e.execution_id for e in cancelled] == [gate_id] and "not today" in cancelled[0].status_message

    debugged = tea.list_executions(oos_models.ListExecutionsRequest(mode="Debug")).body.executions
    assert [e.execution_id for e in debugged] == [debug_id]
    assert tea.list_executions(oos_models.ListExecutionsRequest(
        start_date_after="2000-01-01T00:00:00Z", start_date_before="2999-01-01T00:00:00Z",
        sort_field="StartDate", sort_order="Ascending",
    )).body.executions[0].execution_id == debug_id
    late = oos_models.ListExecutionsRequest(start_date_after="2999-01-01T00:00:00Z")
    assert tea.list_executions(late).body.executions == []
    with pytest.raises(TeaException) as err:
        tea.list_executions(oos_models.ListExecutionsRequest(start_date_after="yesterday"))
    assert err.value.code == "InvalidParameter" and "StartDateAfter" in err.value.message

    every = tea.list_task_executions(oos_models.ListTaskExecutionsRequest(
        execution_id=debug_id, include_child_task_execution=True, task_name="each", task_action="Test::Record",
    )).body.task_executions
    assert len(every) >= 1 and {t.task_name for t in every} == {"each"}

    logs = tea.list_execution_logs(oos_models.ListExecutionLogsRequest(execution_id=gate_id, max_results=20)).body
    assert logs.max_results == 20 and logs.execution_logs
    errors = tea.list_execution_logs(oos_models.ListExecutionLogsRequest(execution_id=gate_id, log_type="Error"))
    assert all(log.log_type == "Error" for log in errors.body.execution_logs)


def test_approve_one_loop_item(tea):
    looped_approval = {"FormatVersion": "OOS-2019-06-01", "Tasks": [
        {"Name": "gate", "Action": "ACS::Approve", "Properties": {}, "Loop": {"Items": [1, 2], "Concurrency": 2}}]}
    started = tea.start_execution(oos_models.StartExecutionRequest(template_content=json.dumps(looped_approval)))
    execution_id = started.body.execution.execution_id
    assert drive(execution_id).status == "Waiting"
    for item in ("2", "1"):
        tea.notify_execution(oos_models.NotifyExecutionRequest(
            execution_id=execution_id, notify_type="Approve", task_name="gate", loop_item=item
        ))
        drive(execution_id)
    children = tea.list_task_executions(oos_models.ListTaskExecutionsRequest(
        execution_id=execution_id, include_child_task_execution=True, task_name="gate", sort_order="Ascending",
    )).body.task_executions
    assert Execution.objects.get(pk=execution_id).status == "Success"
    assert sorted((t.loop_item, t.status) for t in children if t.parent_task_execution_id) == [
        ("1", "Success"), ("2", "Success")]
