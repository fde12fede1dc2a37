import json

import pytest

from templates_app.language.validation import validate

from .conftest_helpers import valid


def problems_of(data):
    result = validate(data)
    return {(p.place, p.message) for p in result.problems}, result


def places(data):
    return {p.place for p in validate(data).problems}


def test_valid_template_parses():
    result = validate(json.dumps(valid()))
    assert result.problems == []
    assert result.format == "JSON"
    parsed = result.parsed
    assert [t.name for t in parsed.tasks] == ["describe", "approve", "stop"]
    assert parsed.tasks[2].loop.max_errors == "10%"
    assert parsed.parameters["Pattern"].default == "web-*"
    assert parsed.summary()["Tasks"][0]["Name"] == "describe"


def test_content_level_problems():
    assert [str(p) for p in validate("- a").problems] == ["Content: the top level must be a mapping, not list"]
    assert validate("x" * 70000).problems[0].place == "Content"


def test_format_version_and_unknown_keys():
    data = valid()
    data["FormatVersion"] = "2020"
    data["Resources"] = {}
    assert {"FormatVersion", "Resources"} <= places(data)
    del data["FormatVersion"]
    assert "FormatVersion" in places(data)


def test_unknown_action_place_and_message():
    data = valid()
    data["Tasks"][2]["Action"] = "ACS::Foo"
    assert "Tasks[2].Action: unknown action 'ACS::Foo'" in [str(p) for p in validate(data).problems]


def test_parameter_problems():
    data = valid()
    data["Parameters"]["Size"] = {"Type": "Number", "Default": 50, "MaxValue": 10}
    data["Parameters"]["Bad"] = {"Type": "Float"}
    data["Parameters"]["Rx"] = {"Type": "String", "AllowedPattern": "("}
    data["Parameters"]["Len"] = {"Type": "Number", "MinLength": 2}
    data["Parameters"]["Choice"] = {"Type": "String", "AllowedValues": ["a", "b"], "Default": "c"}
    got = places(data)
    assert {
        "Parameters.Size.Default", "Parameters.Bad.Type", "Parameters.Rx.AllowedPattern",
        "Parameters.Len.MinLength", "Parameters.Choice.Default",
    } <= got


def test_tasks_required_and_nonempty():
    data = valid()
    del data["Outputs"]
    data["Tasks"] = []
    assert places(data) == {"Tasks"}
    del data["Tasks"]
    assert places(data) == {"Tasks"}


def test_task_name_problems():
    data = valid()
    data["Tasks"][1]["Name"] = "describe"
    assert "Tasks[1].Name" in places(data)
    data["Tasks"][1]["Name"] = "bad name!"
    assert "Tasks[1].Name" in places(data)


def test_properties_checked_against_schema_but_expressions_skipped():
    data = valid()
    data["Tasks"][0]["Properties"] = {"NamePattern": 5}
    assert "Tasks[0].Properties.NamePattern" in places(data)
    data["Tasks"][0]["Properties"] = {"VMIds": "{{ Pattern }}"}  # an expression where a list is due
    assert places(data) == set()
    data["Tasks"][0]["Properties"] = {"Bogus": 1}
    assert "Tasks[0].Properties" in places(data)


def test_jump_targets_must_exist():
    data = valid()
    data["Tasks"][0]["OnSuccess"] = "nowhere"
    data["Tasks"][0]["OnError"] = "ACS::END"
    got, _ = problems_of(data)
    assert ("Tasks[0].OnSuccess", "no task named 'nowhere' (nor ACS::NEXT / ACS::END)") in got


def test_unreachable_task():
    data = valid()
    data["Tasks"][0]["OnSuccess"] = "stop"
    got = places(data)
    assert "Tasks[1]" in got


def test_cycle_is_an_error():
    data = valid()
    data["Tasks"][2]["OnError"] = "describe"
    got, _ = problems_of(data)
    assert ("Tasks[2].OnError", "jump creates a cycle: describe -> approve -> stop -> describe") in got


def test_choice_targets_are_jump_edges():
    data = valid()
    data["Tasks"].insert(1, {
        "Name": "choose", "Action": "ACS::Choice",
        "Properties": {"DefaultTask": "stop", "Choices": [{"When": True, "NextTask": "ghost"}]},
    })
    got = places(data)
    assert "Tasks[1].Properties.Choices[0].NextTask" in got
    assert "Tasks[2]" in got  # approve is skipped by the choice: unreachable


def test_undefined_references():
    data = valid()
    data["Tasks"][0]["Properties"]["NamePattern"] = "{{ Patern }}"
    data["Tasks"][1]["Properties"]["Message"] = "{{ stop.states }}"
    data["Tasks"][1]["Properties"]["Approvers"] = ["{{ describe.nope }}"]
    got, _ = problems_of(data)
    assert ("Tasks[0].Properties.NamePattern", "undefined reference 'Patern'") in got
    assert ("Tasks[1].Properties.Message", "'stop' is a task that has not run yet at this point") in got
    assert ("Tasks[1].Properties.Approvers[0]", "task 'describe' has no output 'nope' (outputs: ids)") in got


def test_loop_item_only_inside_loop():
    data = valid()
    data["Tasks"][1]["Properties"]["Message"] = "{{ ACS::TaskLoopItem }}"
    assert "Tasks[1].Properties.Message" in places(data)


def test_bad_jq_and_bad_jinja():
    data = valid()
    data["Tasks"][0]["Outputs"]["ids"]["ValueSelector"] = ".VMs[ | "
    data["Tasks"][1]["Properties"]["Message"] = "{{ describe.ids "
    got = places(data)
    assert {"Tasks[0].Outputs.ids.ValueSelector", "Tasks[1].Properties.Message"} <= got


def test_loop_limits_and_forms():
    data = valid()
    loop = data["Tasks"][2]["Loop"]
    loop["Items"] = list(range(1001))
    loop["RateControl"]["MaxErrors"] = "150%"
    loop["RateControl"]["Concurrency"] = 0
    loop["RateControl"]["Mode"] = "Sometimes"
    loop["Outputs"]["states"]["AggregateField"] = "missing"
    got = places(data)
    assert {
        "Tasks[2].Loop.Items", "Tasks[2].Loop.RateControl.MaxErrors", "Tasks[2].Loop.RateControl.Concurrency",
        "Tasks[2].Loop.RateControl.Mode", "Tasks[2].Loop.Outputs.states.AggregateField",
    } <= got


def test_top_level_outputs():
    data = valid()
    data["Outputs"]["x"] = {"Type": "List", "Value": "{{ ghost.ids }}"}
    data["Outputs"]["y"] = {"Type": "Strange", "Value": "1"}
    data["Outputs"]["z"] = {"Type": "String", "ValueSelector": ".["}
    got = places(data)
    assert {"Outputs.x.Value", "Outputs.y.Type", "Outputs.z.ValueSelector"} <= got


def test_when_names_a_condition():
    data = valid()
    data["Tasks"][2]["When"] = "Sometimes"
    assert "Tasks[2].When" in places(data)


def test_unknown_function_and_retries():
    data = valid()
    data["Tasks"][0]["Properties"]["NamePattern"] = {"Fn::Frobnicate": 1}
    data["Tasks"][0]["Retries"] = -1
    data["Tasks"][0]["Timeout"] = "soon"
    got = places(data)
    assert {"Tasks[0].Properties.NamePattern", "Tasks[0].Retries", "Tasks[0].Timeout"} <= got


@pytest.mark.parametrize("fmt", ["yaml"])
def test_yaml_template_validates(fmt):
    import yaml

    result = validate(yaml.safe_dump(valid()))
    assert result.ok and result.format == "YAML"
