"""The OOS template language on real django-q2 workers: what validates also runs."""
from __future__ import annotations

import datetime as dt

import pytest

from orchestration.models import Execution, ExecutionLog, TaskExecution
from orchestration.services import executions as service

from .conftest import tpl
from .workers import Processes, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes():
    procs = Processes()
    procs.start_worker()
    procs.start_ticker()
    yield procs
    procs.stop_all()


def settled(execution_id: str):
    execution = Execution.objects.get(pk=execution_id)
    return execution if execution.is_finished or execution.status == "Waiting" else None


def run(tenant, user, make_template, body: dict, **options) -> Execution:
    execution = service.start_execution(tenant=tenant, user=user, template=make_template(body),
                                        safety_check="Skip", **options)
    return wait_for(lambda: settled(execution.pk), timeout=40, what="execution settles")


def check_executions(name: str, desired: bool, **extra) -> dict:
    """A task whose selectors are written the OOS way (no leading dot)."""
    return {"Name": name, "Action": "ACS::CheckFor", **extra,
            "Properties": {"API": "ListExecutions", "PropertySelector": "Executions | length > 0",
                           "DesiredValues": [desired]}}


def test_language_features_run(tenant_a, operator_a, make_template, processes):
    body = tpl(
        check_executions("countExecutions", True, Outputs={
            "found": {"ValueSelector": "Value", "Type": "Boolean"},
            "row": {"Type": "Json", "ValueSelector": '.|{"Task": "{{ ACS::TaskName }}", "Found": .Value}'},
        }),
        {"Name": "nap", "Action": "ACS::Sleep",
         "Properties": {"Duration": {"Fn::DurationBetween": ["23:59:59Z", "00:00:00Z"]}}},
        {"Name": "shortNap", "Action": "ACS::Sleep", "Properties": {"Duration": "1s"}},
        parameters={"hours": {"Type": "Number", "Default": 2},
                    "flag": {"Type": "String", "AllowedValues": [0, 1], "Default": "0",
                             "ConstraintDescription": "0 or 1"}},
        outputs={
            "found": {"Type": "Boolean", "Value": "{{ CountExecutions.Found }}"},
            "row": {"Type": "Json", "Value": "{{ countexecutions.row }}"},
            "rows": {"Type": "List", "Value": {"Fn::MergeMapToList": [{"Id": ["a", "b"]}, {"Weight": [1, 2]}]}},
            "merged": {"Type": "List", "Value": {"Fn::MergeList": [[1], [2, 3]]}},
            "hoursBack": {"Type": "Number", "Value": {"Fn::Eval": ["-{{ Hours }}*24"]}},
            "today": {"Type": "Boolean", "Value": {"Fn::Equals": [
                {"Fn::FormatUTCTime": ["{{ ACS::CurrentUTCTime }}", "%Y-%m-%d"]}, "{{ Acs::CurrentDate }}"]}},
            "user": {"Type": "String", "Value": "{{ ACS::ExecuteUser }}"},
            "arn": {"Type": "String", "Value": {"Fn::Sub": ["role/${Role}-{{ flag }}", {"Role": "ops"}]}},
            "firstId": {"Type": "String", "Value": "{{ countExecutions.row }}", "ValueSelector": "Task"},
        },
    )
    execution = run(tenant_a, operator_a, make_template, body)
    assert execution.status == "Success", execution.status_message
    assert execution.outputs == {
        "found": True, "row": {"Task": "countExecutions", "Found": True},
        "rows": [{"Id": "a", "Weight": 1}, {"Id": "b", "Weight": 2}], "merged": [1, 2, 3], "hoursBack": -48,
        "today": True, "user": execution.executed_by, "arn": "role/ops-0", "firstId": "countExecutions",
    }
    nap = TaskExecution.objects.get(execution=execution, task_name="nap")
    assert nap.properties == {"Duration": "PT1S"}
    assert 1.0 <= (nap.end_date - nap.start_date).total_seconds() < 2.5
    short_nap = TaskExecution.objects.get(execution=execution, task_name="shortNap")
    assert 1.0 <= (short_nap.end_date - short_nap.start_date).total_seconds() < 2.5


def test_retry_waits_grow_by_backoff_up_to_max_retry_interval(tenant_a, operator_a, make_template, processes):
    body = tpl(check_executions("never", False, Retries=2, Delay=1, DelayType="Exponential", BackOff=3,
                                MaxRetryInterval=2))
    execution = run(tenant_a, operator_a, make_template, body)
    assert execution.status == "Failed"
    never = TaskExecution.objects.get(execution=execution, task_name="never")
    assert never.tries == 3
    retries = list(ExecutionLog.objects.filter(execution=execution, message__contains="retrying in")
                   .order_by("id").values_list("message", "created_at"))
    assert [m.rsplit("retrying in ", 1)[1] for m, _ in retries] == ["1 s.", "2 s."]  # 1, then 3 capped at 2
    tries = list(ExecutionLog.objects.filter(execution=execution, message__contains="try ").filter(
        message__contains="started").order_by("id").values_list("created_at", flat=True))
    assert len(tries) == 2 and tries[1] - tries[0] >= dt.timedelta(seconds=1.9)


def test_loop_batch_pause_option_pauses_between_batches_of_concurrency(tenant_a, operator_a, make_template,
                                                                      processes):
    body = tpl({"Name": "each", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"},
                "Loop": {"Items": [1, 2, 3, 4, 5], "Mode": "Concurrency", "BatchPauseOption": "{{ pause }}",
                         "Concurrency": {"Fn::CalculateBatch": [3, [1, 2, 3, 4, 5]]}}},
               parameters={"pause": {"Type": "String", "Default": "EveryBatchPause"}})
    execution = run(tenant_a, operator_a, make_template, body)
    assert execution.status == "Waiting" and execution.status_reason == "LoopBatchPaused"
    loop = TaskExecution.objects.get(execution=execution, parent_task_execution__isnull=True)
    assert loop.children.count() == 2  # ceil(5 / 3) items a batch
    service.notify_execution(execution, operator_a, "Approve")
    execution = wait_for(lambda: settled(execution.pk) if loop.children.count() == 4 else None, timeout=30)
    assert execution.status == "Waiting" and loop.children.count() == 4
    service.notify_execution(execution, operator_a, "Approve")
    execution = wait_for(lambda: Execution.objects.get(pk=execution.pk).is_finished and
                         Execution.objects.get(pk=execution.pk), timeout=30)
    assert execution.status == "Success" and loop.children.count() == 5


def test_rate_control_given_as_one_expression(tenant_a, operator_a, make_template, processes):
    body = tpl({"Name": "each", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"},
                "Loop": {"Items": [1, 2, 3, 4], "RateControl": "{{ rateControl }}"}},
               parameters={"rateControl": {"Type": "Json", "AssociationProperty": "RateControl",
                                           "Default": {"Mode": "Concurrency", "Concurrency": 3, "MaxErrors": 1}}})
    execution = run(tenant_a, operator_a, make_template, body)
    assert execution.status == "Success", execution.status_message
    assert ExecutionLog.objects.filter(execution=execution,
                                       message="Loop each: 4 items, concurrency 3, max errors 1.").exists()
    bad = run(tenant_a, operator_a, make_template, body, parameters={"rateControl": {"Mode": "Sometimes"}})
    assert bad.status == "Failed" and "RateControl.Mode must be one of" in bad.status_message
