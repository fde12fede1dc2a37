"""The template language as Alibaba writes it: what its public templates use validates,
with problems at the same places as the rest of the validator."""
from __future__ import annotations

import datetime as dt

import pytest

from templates_app.language import public_parameters
from templates_app.language.durations import parse_duration
from templates_app.language.expressions import ExpressionError, TaskOutputs, clock_parameters, render
from templates_app.language.model import ParameterSpec, ParsedTemplate
from templates_app.language.parameters import ParameterError, coerce_parameter
from templates_app.language.selectors import jq_program, select
from templates_app.language.validation import validate


def template(*tasks, parameters=None, outputs=None) -> dict:
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": list(tasks)}
    if parameters:
        body["Parameters"] = parameters
    if outputs:
        body["Outputs"] = outputs
    return body


def sleep(name="nap", **extra) -> dict:
    return {"Name": name, "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}, **extra}


def using(value, *tasks, **extra) -> dict:
    """A template whose output ``o`` is ``value`` (outputs have no schema, only expressions)."""
    return template(*(tasks or [sleep()]), outputs={"o": {"Type": "Json", "Value": value}}, **extra)


def problems(body) -> dict[str, str]:
    return {p.place: p.message for p in validate(body).problems}


# --- selectors ---------------------------------------------------------------------------

def test_selector_without_leading_dot_is_a_path_from_the_root():
    assert jq_program("Instances.Instance[].InstanceId") == ".Instances.Instance[].InstanceId"
    assert jq_program("length") == "length"  # what compiles as it is stays as it is
    data = {"Instances": {"Instance": [{"InstanceId": "i-1"}, {"InstanceId": "i-2"}]}}
    assert select("Instances.Instance[].InstanceId", data, "List") == ["i-1", "i-2"]
    body = template(sleep(Outputs={"ids": {"ValueSelector": "Instances.Instance[].InstanceId", "Type": "List"}}))
    assert problems(body) == {}
    body["Tasks"][0]["Outputs"]["ids"]["ValueSelector"] = "Instances.("
    assert "Tasks[0].Outputs.ids.ValueSelector" in problems(body)


def test_selector_with_expressions_is_checked_as_an_expression():
    task = sleep(Outputs={"row": {"Type": "Json", "ValueSelector": '.|{"Name": "{{ name }}"}'}})
    assert problems(template(task, parameters={"name": {"Type": "String", "Default": "x"}})) == {}
    assert problems(template(task)) == {"Tasks[0].Outputs.row.ValueSelector": "undefined reference 'name'"}


# --- task and loop attributes -------------------------------------------------------------

def test_retry_attributes_validate_and_shape_the_wait():
    task = sleep(Retries=296, Delay=2, DelayType="Exponential", BackOff=2, MaxRetryInterval=10)
    assert problems(template(task)) == {}
    spec = ParsedTemplate.from_dict(template(task)).tasks[0]
    assert [spec.retry_wait(n) for n in (1, 2, 3, 4, 5)] == [2, 4, 8, 10, 10]
    constant = ParsedTemplate.from_dict(template(sleep(Delay=15, DelayType="Constant"))).tasks[0]
    assert constant.retry_wait(7) == 15
    bad = problems(template(sleep(Retries=1001, DelayType="Linear", BackOff=0, Delay=-1)))
    assert set(bad) == {"Tasks[0].Retries", "Tasks[0].DelayType", "Tasks[0].BackOff", "Tasks[0].Delay"}


def test_loop_level_mode_and_batch_pause_option():
    loop = {"Items": [1, 2, 3], "Mode": "Concurrency", "Concurrency": 2, "BatchPauseOption": "EveryBatchPause"}
    body = template(sleep(Loop=loop))
    assert problems(body) == {}
    assert ParsedTemplate.from_dict(body).tasks[0].loop.batch_pause_option == "EveryBatchPause"
    loop["BatchPauseOption"] = "{{ pause }}"
    assert problems(template(sleep(Loop=loop), parameters={"pause": {"Type": "String", "Default": "Automatic"}})) == {}
    loop["BatchPauseOption"], loop["Mode"] = "Sometimes", "Batch"
    assert set(problems(body)) == {"Tasks[0].Loop.BatchPauseOption", "Tasks[0].Loop.Mode"}


# --- parameters ---------------------------------------------------------------------------

def test_constraint_description_explains_a_broken_constraint():
    spec = ParameterSpec.from_dict("size", {"Type": "String", "AllowedPattern": "[a-z]+",
                                            "ConstraintDescription": {"en": "lower-case letters only"}})
    with pytest.raises(ParameterError, match=r"lower-case letters only"):
        coerce_parameter(spec, "ABC")
    body = template(sleep(), parameters={"size": {"Type": "String", "ConstraintDescription": "letters"}})
    assert problems(body) == {}


def test_allowed_values_compare_loosely():
    spec = ParameterSpec.from_dict("flag", {"Type": "String", "AllowedValues": [0, 1]})
    assert coerce_parameter(spec, "0") == "0"
    assert problems(template(sleep(), parameters={"flag": {"Type": "String", "AllowedValues": [0, 1],
                                                            "Default": "0"}})) == {}
    with pytest.raises(ParameterError):
        coerce_parameter(spec, "2")


# --- names ----------------------------------------------------------------------------------

def test_built_in_names_and_any_case_of_acs():
    text = "{{ ACS::CurrentUTCTime }} {{ ACS::ExecuteUser }} {{ Acs::CurrentDate }} {{ ACS::accountid }}"
    assert problems(using(text)) == {}
    context = {"ACS::CurrentDate": "2026-12-02", "ACS::AccountId": "7"}
    assert render("{{ Acs::CurrentDate }}/{{ ACS::accountid }}", context) == "2026-12-02/7"


def test_public_parameters_are_unknown_at_their_place_until_a_store_resolves_them(monkeypatch):
    monkeypatch.setattr(public_parameters, "_stores", {"oos:": None, "oos-secret:": None})
    body = using("{{ oos:aliyun/services/oos/commands/x }}")
    assert problems(body) == {
        "Outputs.o.Value":
            "unknown parameter 'oos:aliyun/services/oos/commands/x' (there is no parameter store yet)"}
    with pytest.raises(ExpressionError, match="unknown parameter 'oos:Name'"):
        render("{{ oos:Name }}", {})
    public_parameters.set_parameter_store(lambda path, context: f"value of {path}")
    assert render("{{ oos:aliyun/a-b.c }}!", {}) == "value of aliyun/a-b.c!"
    assert problems(body) == {}


def test_a_secret_renders_to_its_reference_and_is_checked_only_with_a_tenant(monkeypatch):
    def secret_store(path, context):
        if path != "db/password" or context.get("ACS::AccountId") != "7":
            raise public_parameters.UnknownParameter(path, "no such secret", prefix="oos-secret:")

    monkeypatch.setattr(public_parameters, "_stores", {"oos:": None, "oos-secret:": secret_store})
    tenant = {"ACS::AccountId": "7"}
    assert render("pw={{ oos-secret:db/password }}", tenant) == "pw={{ oos-secret:db/password }}"
    assert render("{{ oos-secret:db/password }}", tenant) == "{{ oos-secret:db/password }}"
    with pytest.raises(ExpressionError, match="unknown parameter 'oos-secret:other' \\(no such secret\\)"):
        render("{{ oos-secret:other }}", tenant)
    body = using("{{ oos-secret:other }}")
    assert problems(body) == {}  # saved without a tenant: checked when it runs
    found = validate(body, {"ACS::AccountId": "7"}).problems
    assert [(p.place, p.message) for p in found] == [
        ("Outputs.o.Value", "unknown parameter 'oos-secret:other' (no such secret)")]
    assert validate(using("{{ oos-secret:db/password }}"), {"ACS::AccountId": "7"}).ok
    assert public_parameters.secret_names({"a": ["x {{ oos-secret:db/password }}"]}) == {"db/password"}
    assert public_parameters.reveal({"a": ["x {{ oos-secret:db/password }}"]}, {"db/password": "s3"}) == {"a": ["x s3"]}


def test_output_and_parameter_names_resolve_without_regard_to_case():
    run_command = sleep("runCommand", Outputs={"invokeId": {"ValueSelector": ".Id"}})
    body = using("{{ runCommand.InvokeId }} {{ Region }}", run_command,
                 parameters={"region": {"Type": "String", "Default": "r"}})
    assert problems(body) == {}
    assert render("{{ runCommand.InvokeId }}", {"runCommand": TaskOutputs({"invokeId": "t-1"})}) == "t-1"
    body["Outputs"]["o"]["Value"] = "{{ runCommand.Nope }}"
    assert problems(body) == {"Outputs.o.Value": "task 'runCommand' has no output 'Nope' (outputs: invokeId)"}
    with pytest.raises(ExpressionError):  # ambiguous: two names differ only by case
        render("{{ name }}", {"Name": 1, "NAME": 2})


# --- functions ------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "expected"), [
    ({"Fn::MergeList": [[1, 2], [3], 4]}, [1, 2, 3, 4]),
    ({"Fn::MergeMapToList": [{"ServerId": ["a", "b"]}, {"Weight": [0, 100]}, {"Type": "ecs"}]},
     [{"ServerId": "a", "Weight": 0, "Type": "ecs"}, {"ServerId": "b", "Weight": 100, "Type": "ecs"}]),
    ({"Fn::ConvertMapToList": {"env": "prod"}}, [{"Key": "env", "Value": "prod"}]),
    ({"Fn::Intersection": [["a", "b", "c"], ["c", "a"]]}, ["a", "c"]),
    ({"Fn::RangeSelect": [0, -1, ["a", "b", "c"]]}, ["a", "b"]),
    ({"Fn::ContainsSubString": ["dir/Dockerfile", "/"]}, True),
    ({"Fn::Escape": ["it's", "powershell"]}, "it''s"),
    ({"Fn::Escape": ["it's", "shell"]}, "it'\\''s"),
    ({"Fn::Sub": ["acs:ram::${AccountId}:role/${Role}", {"AccountId": "7", "Role": "ops"}]}, "acs:ram::7:role/ops"),
    ({"Fn::DurationBetween": ["22:00:00Z", "06:30:00Z"]}, "PT30600S"),
    ({"Fn::DurationBetween": ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"]}, "PT3600S"),
    ({"Fn::Eval": ["-7*24"]}, -168),
    ({"Fn::CalculateBatch": [3, [1, 2, 3, 4, 5, 6, 7]]}, 3),
])
def test_functions_as_alibaba_documents_them(call, expected):
    assert render(call, {}) == expected
    assert problems(using(call)) == {}


@pytest.mark.parametrize("text", ["__import__('os')", "(1).__class__", "x*2", "2**100000", "'a'*3", "9" * 300])
def test_fn_eval_refuses_anything_but_arithmetic(text):
    with pytest.raises(ExpressionError, match="Fn::Eval"):
        render({"Fn::Eval": [text]}, {})


def test_function_errors_are_clear():
    with pytest.raises(ExpressionError, match="different lengths"):
        render({"Fn::MergeMapToList": [{"A": [1]}, {"B": [1, 2]}]}, {})
    with pytest.raises(ExpressionError, match=r"\$\{Missing\} has no value"):
        render({"Fn::Sub": ["${Missing}", {}]}, {})


def test_clock_values_have_the_forms_the_time_functions_take():
    moment = dt.datetime(2026, 12, 2, 1, 2, 3, tzinfo=dt.UTC)
    assert clock_parameters(moment) == {"ACS::CurrentUTCTime": "2026-12-02T01:02:03Z", "ACS::CurrentDate": "2026-12-02"}


# --- cloud products -------------------------------------------------------------------------

def test_cloud_actions_name_the_vsphere_action_doing_the_same_job():
    body = template({"Name": "start", "Action": "ACS::ECS::StartInstance", "Properties": {}},
                    {"Name": "db", "Action": "ACS::RDS::RestartDBInstance", "Properties": {}},
                    {"Name": "x", "Action": "ACS::NoSuchThing", "Properties": {}})
    assert problems(body) == {
        "Tasks[0].Action":
            "ACS::ECS::StartInstance is an Alibaba Cloud ECS action; on vSphere use ACS::VSphere::StartVM",
        "Tasks[1].Action":
            "ACS::RDS::RestartDBInstance is an Alibaba Cloud RDS action, with no vSphere counterpart here",
        "Tasks[2].Action": "unknown action 'ACS::NoSuchThing'",
    }
    command = problems(template({"Name": "run", "Action": "ACS::ECS::RunCommand", "Properties": {}}))
    assert command["Tasks[0].Action"].startswith("ACS::ECS::RunCommand is an Alibaba Cloud ECS action")


def test_string_parameters_take_yaml_booleans_as_text():
    spec = ParameterSpec.from_dict("rollback", {"Type": "String", "AllowedValues": ["true", "false"]})
    assert coerce_parameter(spec, False) == "false"
    assert problems(template(sleep(), parameters={"rollback": {"Type": "String", "Default": False}})) == {}


@pytest.mark.parametrize(("text", "seconds"), [("10s", 10), ("4m", 240), ("1M", 60), ("2h", 7200), ("PT1M", 60)])
def test_sleep_takes_the_short_durations_alibaba_writes(text, seconds):
    assert parse_duration(text) == seconds
    assert problems(template({"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": text}})) == {}


def test_wait_for_takes_an_empty_not_desired_list():
    check = {"Name": "check", "Action": "ACS::WaitFor", "Properties": {
        "API": "ListExecutions", "PropertySelector": "Executions | length", "NotDesiredValues": []}}
    assert problems(template(check)) == {}


def test_a_list_parameter_takes_one_allowed_value_as_a_one_item_list():
    spec = ParameterSpec.from_dict("state", {"Type": "List", "AllowedValues": ["InService", "Protected"]})
    assert coerce_parameter(spec, "InService") == ["InService"]
    with pytest.raises(ParameterError):
        coerce_parameter(spec, "Elsewhere")
    body = template(sleep(), parameters={"state": {"Type": "List", "AllowedValues": ["InService", "Protected"],
                                                   "Default": "InService"}})
    assert problems(body) == {}


def test_loop_outputs_of_an_action_not_in_the_catalog_are_not_second_guessed():
    task = {"Name": "tag", "Action": "ACS::ECS::TagThings", "Properties": {},
            "Loop": {"Items": [1], "Outputs": {"all": {"AggregateType": "Fn::ListJoin", "AggregateField": "x"}}}}
    assert set(problems(template(task))) == {"Tasks[0].Action"}
    task["Action"] = "ACS::Sleep"
    task["Properties"] = {"Duration": "PT0S"}
    assert set(problems(template(task))) == {"Tasks[0].Loop.Outputs.all.AggregateField"}
