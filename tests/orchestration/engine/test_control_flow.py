"""The engine's control flow, driven in-process on the real database."""
from __future__ import annotations

import pytest

from orchestration.models import ExecutionLog, TaskExecution
from orchestration.services.executions import start_execution

from .conftest import drive, tpl

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(tenant_a, operator_a, make_template):
    def run(body: dict, parameters=None, **options):
        template = make_template(body)
        execution = start_execution(
            tenant=tenant_a, user=operator_a, template=template, parameters=parameters,
            safety_check=options.pop("safety_check", "Skip"), **options,
        )
        return drive(execution)

    return run


def record(name: str, value, **extra) -> dict:
    return {"Name": name, "Action": "Test::Record", "Properties": {"Value": value}, **extra}


def tasks_of(execution) -> list[tuple[str, str]]:
    rows = TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=True).order_by("id")
    return [(te.task_name, te.status) for te in rows]


def test_sequential_tasks_outputs_and_template_outputs(run):
    body = tpl(
        record("first", "{{ Greeting }}", Outputs={"text": {"ValueSelector": ".Value", "Type": "String"}}),
        record("second", "{{ first.text }} world", Outputs={"text": {"ValueSelector": ".Value"}}),
        parameters={"Greeting": {"Type": "String", "Default": "hello"}},
        outputs={"Message": {"Type": "String", "Value": "{{ second.text }}"}},
    )
    execution = run(body)
    assert execution.status == "Success", execution.status_message
    assert execution.outputs == {"Message": "hello world"}
    assert tasks_of(execution) == [("first", "Success"), ("second", "Success")]
    assert execution.counters == {"Success": 2, "Total": 2}
    assert execution.start_date and execution.end_date
    messages = list(ExecutionLog.objects.filter(execution=execution).values_list("message", flat=True))
    assert messages[0].startswith("Execution started") and messages[-1] == "Execution success."
    assert "recorded 'hello'" in messages


def test_failure_ends_execution_by_default(run):
    execution = run(tpl(
        {"Name": "boom", "Action": "ACS::CheckFor", "Properties": {
            "API": "ListExecutions", "PropertySelector": ".Executions | length", "DesiredValues": [99]}},
        record("never", 1),
    ))
    assert execution.status == "Failed"
    assert "boom" in execution.status_message
    assert tasks_of(execution) == [("boom", "Failed")]


def test_on_error_jump_and_on_success_end(run):
    execution = run(tpl(
        {"Name": "try", "Action": "Test::Flaky", "Properties": {"Failures": 5}, "OnError": "recover"},
        record("skipped_by_jump", 1),
        record("recover", 2, OnSuccess="ACS::END"),
    ))
    assert execution.status == "Success"
    assert tasks_of(execution) == [("try", "Failed"), ("recover", "Success")]


def test_when_false_skips(run):
    execution = run(tpl(
        record("maybe", 1, When="{{ Enabled }}"),
        record("always", 2),
        parameters={"Enabled": {"Type": "Boolean", "Default": False}},
    ))
    assert tasks_of(execution) == [("maybe", "Skipped"), ("always", "Success")]
    assert execution.status == "Success"


@pytest.mark.parametrize(("size", "expected"), [("big", "large"), ("small", "tiny")])
def test_choice_branches(run, size, expected):
    execution = run(tpl(
        {"Name": "pick", "Action": "ACS::Choice", "Properties": {
            "DefaultTask": "tiny",
            "Choices": [{"When": {"Fn::Equals": ["big", "{{ Size }}"]}, "NextTask": "large"}]}},
        record("large", "L", OnSuccess="ACS::END"),
        record("tiny", "S"),
        parameters={"Size": {"Type": "String"}},
    ), parameters={"Size": size})
    assert execution.status == "Success"
    assert [name for name, _ in tasks_of(execution)] == ["pick", expected]


def test_loop_concurrency_outputs_and_children(run):
    execution = run(tpl(
        {"Name": "each", "Action": "Test::Record", "Properties": {"Value": "{{ ACS::TaskLoopItem }}"},
         "Outputs": {"v": {"ValueSelector": ".Value", "Type": "String"}},
         "Loop": {"Items": "{{ Names }}", "Concurrency": 3, "MaxErrors": 0,
                  "Outputs": {"all": {"AggregateType": "Fn::ListJoin", "AggregateField": "v"}}}},
        parameters={"Names": {"Type": "List", "Default": ["a", "b", "c", "d", "e"]}},
        outputs={"Joined": {"Type": "List", "Value": "{{ each.all }}"}},
    ))
    assert execution.status == "Success", execution.status_message
    assert execution.outputs == {"Joined": ["a", "b", "c", "d", "e"]}
    loop = TaskExecution.objects.get(execution=execution, parent_task_execution__isnull=True)
    children = TaskExecution.objects.filter(parent_task_execution=loop).order_by("loop_index")
    assert [c.loop_item for c in children] == ["a", "b", "c", "d", "e"]
    assert all(c.status == "Success" for c in children)
    assert execution.counters == {"Success": 1, "Total": 1}


def test_loop_max_errors(run):
    flaky = {"Name": "each", "Action": "Test::Flaky",
             "Properties": {"Failures": "{{ ACS::TaskLoopItem }}", "Key": "k-{{ ACS::TaskLoopItem }}"},
             "Loop": {"Items": [0, 0, 9, 0, 9], "Concurrency": 1, "MaxErrors": 1}}
    execution = run(tpl(flaky))
    assert execution.status == "Failed"
    assert "2 of 5 loop items failed (MaxErrors 1)" in execution.status_message
    tolerant = run(tpl({**flaky, "Loop": {**flaky["Loop"], "MaxErrors": "40%"}}))
    assert tolerant.status == "Success"


def test_retries_with_interval(run):
    execution = run(tpl(
        {"Name": "flaky", "Action": "Test::Flaky", "Properties": {"Failures": 2, "Key": "retry-test"},
         "Retries": 2, "RetryInterval": "PT1S"},
    ))
    assert execution.status == "Success"
    te = TaskExecution.objects.get(execution=execution)
    assert te.tries == 3
    assert te.outputs == {} and te.status == "Success"
    retries = ExecutionLog.objects.filter(execution=execution, message__contains="retrying in 1 s").count()
    assert retries == 2


def test_timeout_fails_a_sleeping_task(run):
    execution = run(tpl({"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT30S"}, "Timeout": 1}))
    assert execution.status == "Failed"
    assert "Timed out after 1 s" in TaskExecution.objects.get(execution=execution).status_message


def test_sleep_wakes_up_on_time(run):
    execution = run(tpl({"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT1S"}}))
    assert execution.status == "Success"
    te = TaskExecution.objects.get(execution=execution)
    assert 1.0 <= (te.end_date - te.start_date).total_seconds() < 2.5


def test_dag_links_run_parallel_branches(run):
    body = tpl(
        record("root", 1, Next=["left", "right"]),
        record("left", 2, Next=["join"]),
        record("right", 3, Next=["join"]),
        record("join", 4),
    )
    execution = run(body)
    assert execution.status == "Success", execution.status_message
    assert sorted(name for name, _ in tasks_of(execution)) == ["join", "left", "right", "root"]
    order = [name for name, _ in tasks_of(execution)]
    assert order[0] == "root" and order[-1] == "join"


def test_nested_template_runs_as_child(run, make_template):
    make_template(tpl(record("inner", "{{ X }}", Outputs={"x": {"ValueSelector": ".Value"}}),
                      parameters={"X": {"Type": "String"}}, outputs={"Out": {"Type": "String",
                                                                               "Value": "{{ inner.x }}"}}),
                  name="child-tpl")
    execution = run(tpl({"Name": "nested", "Action": "ACS::Template",
                         "Properties": {"TemplateName": "child-tpl", "Parameters": {"X": "from-parent"}},
                         "Outputs": {"out": {"ValueSelector": ".Out"}}},
                        outputs={"Result": {"Type": "String", "Value": "{{ nested.out }}"}}))
    assert execution.status == "Success", execution.status_message
    assert execution.outputs == {"Result": "from-parent"}
    child = execution.children.get()
    assert child.status == "Success" and child.parent_task_execution.task_name == "nested"


def test_schedule_delay(run):
    execution = run(tpl(record("later", 1, ScheduleDelay=1)))
    te = TaskExecution.objects.get(execution=execution)
    assert execution.status == "Success"
    assert (te.start_date - te.created_at).total_seconds() >= 1.0


def test_bad_rendered_properties_fail_the_task_clearly(run):
    execution = run(tpl({"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "{{ D }}"}},
                        parameters={"D": {"Type": "String", "Default": "soon"}}))
    assert execution.status == "Failed"
    assert "Duration" in TaskExecution.objects.get(execution=execution).status_message


def test_task_timestamps_are_ordered(run):
    execution = run(tpl(record("a", 1), record("b", 2), {"Name": "nap", "Action": "ACS::Sleep",
                                                          "Properties": {"Duration": "PT0S"}}))
    for te in TaskExecution.objects.filter(execution=execution):
        assert te.created_at <= te.start_date <= te.end_date, te.task_name


def test_runaway_selector_fails_its_task_and_the_engine_goes_on(run, monkeypatch):
    """jq runs out of process: an endless ValueSelector fails its task after the time
    limit, with the reason, and the execution follows OnError like any other failure."""
    from templates_app.language import jq_sandbox

    monkeypatch.setattr(jq_sandbox, "TIMEOUT_SECONDS", 1.0)
    execution = run(tpl(
        record("spin", 1, Outputs={"v": {"ValueSelector": "last(range(1e12))", "Type": "Number"}},
               OnError="after"),
        record("after", 2, Outputs={"v": {"ValueSelector": ".Value", "Type": "Number"}}),
        outputs={"Result": {"Type": "Number", "Value": "{{ after.v }}"}},
    ))
    assert execution.status == "Success", execution.status_message
    assert tasks_of(execution) == [("spin", "Failed"), ("after", "Success")]
    spin = TaskExecution.objects.get(execution=execution, task_name="spin")
    assert "took longer than 1 s" in spin.status_message
    assert execution.outputs == {"Result": 2}
