import pytest

from templates_app.language.model import NO_DEFAULT, LoopSpec, ParameterSpec, TaskSpec, count_from
from templates_app.language.parameters import ParameterError, coerce_parameter, resolve_parameters
from templates_app.language.problems import ParametersInvalid
from templates_app.language.selectors import SelectorError, compile_selector, select


def spec(**kw):
    return ParameterSpec.from_dict("P", kw)


@pytest.mark.parametrize(
    ("kw", "value", "expected"),
    [
        ({"Type": "Number"}, "5", 5),
        ({"Type": "Number"}, "2.5", 2.5),
        ({"Type": "Boolean"}, "TRUE", True),
        ({"Type": "List"}, '["a"]', ["a"]),
        ({"Type": "Json"}, '{"a": 1}', {"a": 1}),
        ({"Type": "String"}, 7, "7"),
        ({"Type": "List", "AllowedValues": ["a", "b"]}, ["a", "b"], ["a", "b"]),
    ],
)
def test_coercion(kw, value, expected):
    assert coerce_parameter(spec(**kw), value) == expected


@pytest.mark.parametrize(
    ("kw", "value", "fragment"),
    [
        ({"Type": "Number"}, "x", "expected a Number"),
        ({"Type": "Number"}, True, "Boolean"),
        ({"Type": "Boolean"}, "yes", "Boolean"),
        ({"Type": "List"}, "nope", "List"),
        ({"Type": "String", "AllowedValues": ["a"]}, "b", "AllowedValues"),
        ({"Type": "String", "AllowedPattern": "[a-z]+"}, "A1", "AllowedPattern"),
        ({"Type": "String", "MaxLength": 2}, "abc", "MaxLength"),
        ({"Type": "List", "MinLength": 1}, [], "MinLength"),
        ({"Type": "Number", "MinValue": 1}, 0, "MinValue"),
        ({"Type": "Number", "MaxValue": 1}, 2, "MaxValue"),
    ],
)
def test_coercion_errors_name_the_rule(kw, value, fragment):
    with pytest.raises(ParameterError) as exc:
        coerce_parameter(spec(**kw), value)
    assert fragment in exc.value.message
    assert exc.value.name == "P"


def test_resolve_collects_every_problem():
    specs = {
        "A": ParameterSpec.from_dict("A", {"Type": "Number", "Default": 1}),
        "B": ParameterSpec.from_dict("B", {"Type": "String"}),
        "C": ParameterSpec.from_dict("C", {"Type": "Number", "MaxValue": 3}),
        "R": ParameterSpec.from_dict("R", {"Type": "String", "Default": "{{ ACS::RegionId }}"}),
    }
    assert specs["B"].default is NO_DEFAULT and specs["B"].required
    with pytest.raises(ParametersInvalid) as exc:
        resolve_parameters(specs, {"C": 9, "Z": 1})
    assert {str(p) for p in exc.value.problems} == {
        "Parameters.Z: unknown parameter",
        "Parameters.B: required (it has no Default)",
        "Parameters.C: 9 is above MaxValue 3",
    }
    assert resolve_parameters(specs, {"B": "x", "C": "2"}) == {"A": 1, "B": "x", "C": 2, "R": "{{ ACS::RegionId }}"}


def test_loop_forms_normalise_to_one_spec():
    old = LoopSpec.from_dict({"Items": [1, 2], "Concurrency": 3, "MaxErrors": "10%",
                              "Outputs": {"o": {"AggregateType": "Fn::ListJoin", "AggregateField": "x"}}})
    new = LoopSpec.from_dict({"Items": [1, 2], "RateControl": {"Mode": "Concurrency", "Concurrency": 3,
                                                                "MaxErrors": "10%"},
                              "Outputs": {"o": {"AggregateType": "Fn::ListJoin", "AggregateField": "x"}}})
    assert old == new
    assert new.outputs["o"].aggregate_type == "Fn::ListJoin"
    batch = LoopSpec.from_dict({"Items": "{{ x }}", "RateControl": {
        "Mode": "Batch", "Batch": [1, "50%"], "ConcurrencyInBatches": [1, 2], "BatchPauseOption": "FirstBatchPause"}})
    assert (batch.mode, batch.batch, batch.batch_pause_option, batch.concurrency) == (
        "Batch", [1, "50%"], "FirstBatchPause", 1)
    dynamic = LoopSpec.from_dict({"Items": [1], "RateControl": "{{ rc }}"})
    assert dynamic.rate_control == "{{ rc }}"
    assert count_from("10%", 25) == 3 and count_from(4, 25) == 4 and count_from("0%", 9) == 0


def test_task_durations_in_seconds():
    task = TaskSpec.from_dict({"Name": "a", "Action": "ACS::Sleep", "RetryInterval": "PT1M", "Timeout": 30})
    assert (task.retry_interval, task.timeout, task.on_success, task.on_error) == (60.0, 30.0, "ACS::NEXT", "ACS::END")


def test_selectors():
    data = {"VMs": [{"Id": "a"}, {"Id": "b"}], "n": "4", "ok": "true"}
    assert select(".VMs[].Id", data, "List") == ["a", "b"]
    assert select(".VMs[].Id", data, "String") == "a"
    assert select(".VMs", data, "List") == [{"Id": "a"}, {"Id": "b"}]
    assert select(".n", data, "Number") == 4
    assert select(".ok", data, "Boolean") is True
    assert select(".VMs[0]", data, "Json") == {"Id": "a"}
    assert select(".missing", data, "String") is None
    with pytest.raises(SelectorError):
        compile_selector(".[")
    with pytest.raises(SelectorError):
        select(".ok", data, "Number")
