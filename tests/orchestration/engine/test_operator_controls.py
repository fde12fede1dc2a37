"""Approvals, safety checks, debug mode, pauses, cancel, delete, idempotency and re-runs."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from orchestration.errors import Conflict, Forbidden, InvalidParameter, NotFound
from orchestration.models import Execution, TaskExecution
from orchestration.services import executions as service

from .conftest import drive, tpl

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(tenant_a, operator_a, make_template):
    def start(body: dict, **options):
        options.setdefault("safety_check", "Skip")
        execution = service.start_execution(
            tenant=tenant_a, user=operator_a, template=make_template(body), **options
        )
        return drive(execution)

    return start


def record(name, value=1, **extra):
    return {"Name": name, "Action": "Test::Record", "Properties": {"Value": value}, **extra}


APPROVAL = tpl({"Name": "approve", "Action": "ACS::Approve", "Properties": {"Message": "ok?"}}, record("after"))


def statuses(execution):
    return [(te.task_name, te.status) for te in
            TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=True).order_by("id")]


def test_approve_continues(start, operator_a):
    execution = start(APPROVAL)
    assert execution.status == "Waiting" and execution.status_reason == "WaitingForApproval"
    assert execution.current_tasks[0]["TaskName"] == "approve"
    service.notify_execution(execution, operator_a, "Approve", note="looks fine")
    execution = drive(execution)
    assert execution.status == "Success"
    approve = TaskExecution.objects.get(execution=execution, task_name="approve")
    assert approve.outputs == {} and approve.extra["notifications"][0]["by"] == "oscar"


def test_reject_fails(start, operator_a):
    execution = start(APPROVAL)
    service.notify_execution(execution, operator_a, "Reject", note="not today")
    execution = drive(execution)
    assert execution.status == "Failed"
    assert statuses(execution) == [("approve", "Failed")]
    assert "Rejected by oscar: not today" in TaskExecution.objects.get(execution=execution).status_message


def test_viewer_cannot_notify(start, viewer_a):
    execution = start(APPROVAL)
    with pytest.raises(Forbidden):
        service.notify_execution(execution, viewer_a, "Approve")


def test_notify_errors_are_clear(start, operator_a):
    execution = start(APPROVAL)
    with pytest.raises(InvalidParameter, match="NotifyType"):
        service.notify_execution(execution, operator_a, "Bless")
    with pytest.raises(Conflict, match="no task execution waiting"):
        service.notify_execution(execution, operator_a, "Approve", task_name="after")


def test_safety_check_confirms_high_risk_tasks(start, operator_a):
    body = tpl(record("safe"), {"Name": "risky", "Action": "Test::Danger"})
    execution = start(body, safety_check="ConfirmEveryHighRiskAction")
    assert execution.status == "Waiting"
    assert statuses(execution) == [("safe", "Success"), ("risky", "Waiting")]
    service.notify_execution(execution, operator_a, "Approve", task_name="risky")
    assert drive(execution).status == "Success"
    assert start(body).status == "Success"  # SafetyCheck Skip


def test_debug_mode_runs_task_by_task(start, operator_a):
    execution = start(tpl(record("one"), record("two"), record("three")), mode="Debug")
    assert execution.status == "Waiting" and statuses(execution) == []
    service.notify_execution(execution, operator_a, "ExecuteTask")
    execution = drive(execution)
    assert statuses(execution) == [("one", "Success")]
    service.notify_execution(execution, operator_a, "ExecuteTask", task_name="three")
    execution = drive(execution)
    assert statuses(execution) == [("one", "Success"), ("three", "Success")]
    assert execution.status == "Success"  # nothing follows the last task


def test_debug_complete_execution(start, operator_a):
    execution = start(tpl(record("one"), record("two")), mode="Debug")
    service.notify_execution(execution, operator_a, "ExecuteTask")
    execution = drive(execution)
    assert execution.status == "Waiting"
    service.notify_execution(execution, operator_a, "CompleteExecution", execution_status="Failed", note="enough")
    execution = drive(execution)
    assert execution.status == "Failed" and "enough" in execution.status_message
    assert statuses(execution) == [("one", "Success")]


def test_failure_pause_then_retry(start, operator_a):
    body = tpl({"Name": "flaky", "Action": "Test::Flaky", "Properties": {"Failures": 1, "Key": "pause-test"}},
               record("after"))
    execution = start(body, mode="FailurePause")
    assert execution.status == "Waiting" and execution.status_reason == "FailurePaused"
    service.notify_execution(execution, operator_a, "ExecuteTask")
    execution = drive(execution)
    assert execution.status == "Success"
    assert statuses(execution) == [("flaky", "Failed"), ("flaky", "Success"), ("after", "Success")]


def test_pause_on_failure_then_complete(start, operator_a):
    body = tpl({"Name": "flaky", "Action": "Test::Flaky", "Properties": {"Failures": 9}, "PauseOnFailure": True})
    execution = start(body)
    assert execution.status == "Waiting"
    service.notify_execution(execution, operator_a, "CompleteExecution", execution_status="Failed", note="gave up")
    execution = drive(execution)
    assert execution.status == "Failed" and "gave up" in execution.status_message


def test_manual_task_waits_to_be_started(start, operator_a):
    execution = start(tpl(record("first"), record("by_hand", Manually=True)))
    assert execution.status == "Waiting" and execution.status_reason == "WaitingForManualStart"
    service.notify_execution(execution, operator_a, "ExecuteTask", task_name="by_hand")
    assert drive(execution).status == "Success"


def test_loop_first_batch_pause(start, operator_a):
    body = tpl({"Name": "each", "Action": "Test::Record", "Properties": {"Value": "{{ ACS::TaskLoopItem }}"},
                "Loop": {"Items": [1, 2, 3, 4], "RateControl": {"Mode": "Batch", "Batch": [1, "50%"],
                                                                "ConcurrencyInBatches": [1, 2]}}})
    execution = start(body, loop_mode="FirstBatchPause")
    assert execution.status == "Waiting" and execution.status_reason == "LoopBatchPaused"
    loop = TaskExecution.objects.get(execution=execution, parent_task_execution__isnull=True)
    assert loop.children.count() == 1
    service.notify_execution(execution, operator_a, "Approve")
    execution = drive(execution)
    assert execution.status == "Success"
    assert loop.children.count() == 4


def test_cancel_running_execution_and_child(tenant_a, operator_a, make_template):
    from orchestration.engine.runner import advance

    make_template(tpl({"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT1H"}}), name="napper")
    template = make_template(tpl({"Name": "sub", "Action": "ACS::Template", "Properties": {"TemplateName": "napper"}}))
    execution = service.start_execution(tenant=tenant_a, user=operator_a, template=template)
    advance(execution.pk)
    child = Execution.objects.get(parent=execution)
    advance(child.pk)
    assert Execution.objects.get(pk=child.pk).status == "Running"
    service.cancel_execution(execution, operator_a)
    execution = drive(execution)
    assert execution.status == "Cancelled"
    assert drive(child).status == "Cancelled"
    assert TaskExecution.objects.get(execution=child).status == "Cancelled"


def test_delete_only_finished(start, operator_a, tenant_a):
    done = start(tpl(record("x")))
    waiting = start(APPROVAL)
    with pytest.raises(Conflict, match="cancel it before deleting"):
        service.delete_executions(tenant_a, operator_a, [done.pk, waiting.pk])
    with pytest.raises(NotFound):
        service.delete_executions(tenant_a, operator_a, ["exec-nope"])
    with pytest.raises(InvalidParameter, match="1 to 100"):
        service.delete_executions(tenant_a, operator_a, [f"exec-{i}" for i in range(101)])
    assert service.delete_executions(tenant_a, operator_a, [done.pk]) == 1
    assert not Execution.objects.filter(pk=done.pk).exists()
    assert not TaskExecution.objects.filter(execution_id=done.pk).exists()


def test_client_token_is_idempotent(tenant_a, operator_a, make_template):
    template = make_template(tpl(record("x")))
    first = service.start_execution(tenant=tenant_a, user=operator_a, template=template, client_token="tok-1")
    again = service.start_execution(tenant=tenant_a, user=operator_a, template=template, client_token="tok-1")
    assert first.pk == again.pk
    assert Execution.objects.filter(client_token="tok-1").count() == 1
    other = service.start_execution(tenant=tenant_a, user=operator_a, template=template, client_token="tok-2")
    assert other.pk != first.pk


def test_parameters_are_validated_per_parameter(tenant_a, operator_a, make_template):
    template = make_template(tpl(record("x", "{{ Size }}"), parameters={
        "Size": {"Type": "Number", "MinValue": 1, "MaxValue": 8},
        "Name": {"Type": "String", "AllowedPattern": "^[a-z]+$"},
    }))
    with pytest.raises(InvalidParameter) as caught:
        service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                parameters={"Size": 99, "Name": "BAD", "Extra": 1})
    problems = " ".join(caught.value.detail)
    assert "Parameters.Size" in problems and "Parameters.Name" in problems and "Extra" in problems
    assert not Execution.objects.exists()


def test_version_is_pinned(tenant_a, operator_a, make_template):
    from templates_app.services.templates import update_template

    template = make_template(tpl(record("x", "v1")))
    update_template(template, actor=SYSTEM, content=tpl(record("x", "v2")))
    pinned = service.start_execution(tenant=tenant_a, user=operator_a, template=template, version="v1")
    latest = service.start_execution(tenant=tenant_a, user=operator_a, template=template)
    assert (pinned.template_version, latest.template_version) == ("v1", "v2")
    assert drive(pinned).status == "Success"
    te = TaskExecution.objects.get(execution=pinned)
    assert te.outputs == {} and te.properties == {"Value": "v1"}


def test_rerun_from_failed_step_keeps_successes(start, operator_a):
    body = tpl(record("before"), {"Name": "flaky", "Action": "Test::Flaky",
                                   "Properties": {"Failures": 1, "Key": "rerun-test"}}, record("after"))
    execution = start(body)
    assert execution.status == "Failed"
    service.rerun_execution(execution, operator_a)
    execution = drive(execution)
    assert execution.status == "Success"
    assert statuses(execution) == [("before", "Success"), ("flaky", "Failed"), ("flaky", "Success"),
                                   ("after", "Success")]


def test_rerun_retries_only_failed_loop_items(start, operator_a):
    body = tpl({"Name": "each", "Action": "Test::Flaky",
                "Properties": {"Failures": 1, "Key": "item-{{ ACS::TaskLoopItem }}",
                               "Value": "{{ ACS::TaskLoopItem }}"},
                "Loop": {"Items": ["ok1", "bad", "ok2"], "Concurrency": 3, "MaxErrors": 0}})
    from .conftest import FAILURES

    FAILURES.update({"item-ok1": 1, "item-ok2": 1})  # these succeed at their first try
    execution = start(body)
    assert execution.status == "Failed"
    service.rerun_execution(execution, operator_a)
    execution = drive(execution)
    assert execution.status == "Success", execution.status_message
    runs = TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=False)
    assert sorted(runs.values_list("loop_item", "status")) == [
        ("bad", "Failed"), ("bad", "Success"), ("ok1", "Success"), ("ok2", "Success")
    ]
