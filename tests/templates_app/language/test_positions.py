"""Problems located in the text: the editor marks each on its line."""
from __future__ import annotations

from templates_app.language.positions import Position, compose, locate, segments
from templates_app.language.validation import validate
from templates_app.services.analysis import editor_report, validation_report

YAML = """FormatVersion: OOS-2019-06-01
Tasks:
  - Name: first
    Action: ACS::Sleep
    Properties:
      Duration: PT1S
  - Name: second
    Action: ACS::Slep
"""

JSON = '{"FormatVersion": "OOS-2019-06-01",\n "Tasks": [\n  {"Name": "a", "Action": "ACS::Sleeep"}]}'


def test_segments_of_a_place():
    assert segments("Tasks[2].Properties.X") == ["Tasks", 2, "Properties", "X"]
    assert segments("Parameters.Size.Default") == ["Parameters", "Size", "Default"]


def test_a_place_maps_to_the_line_and_column_of_its_key():
    root = compose(YAML)
    assert locate(root, "Tasks[1].Action") == Position(8, 5)
    assert locate(root, "Tasks[0].Properties.Duration") == Position(6, 7)
    # deeper than the text (a missing key): the deepest part that exists
    assert locate(root, "Tasks[0].Properties.Missing") == Position(5, 5)
    assert locate(compose(JSON), "Tasks[0].Action") == Position(3, 17)


def test_unknown_names_come_with_a_suggestion():
    messages = [p.message for p in validate(YAML).problems]
    assert "unknown action 'ACS::Slep'; did you mean 'ACS::Sleep'?" in messages
    wrong_property = YAML.replace("Duration: PT1S", "Durration: PT1S")
    assert any("did you mean 'Duration'?" in p.message for p in validate(wrong_property).problems)
    assert any("did you mean 'Tasks'?" in p.message for p in validate(YAML.replace("Tasks:", "Taks:")).problems)
    nothing_close = YAML.replace("ACS::Slep", "ACS::Foo")
    assert "unknown action 'ACS::Foo'" in [p.message for p in validate(nothing_close).problems]
    no_namespace = YAML.replace("ACS::Slep", "ACS::StopVM")
    assert any("did you mean 'ACS::VSphere::StopVM'?" in p.message for p in validate(no_namespace).problems)


def test_editor_report_gives_lines_and_the_api_report_keeps_its_shape():
    located = editor_report(YAML)["problems"]
    assert located == [{
        "place": "Tasks[1].Action",
        "message": "unknown action 'ACS::Slep'; did you mean 'ACS::Sleep'?",
        "line": 8,
        "column": 5,
    }]
    assert validation_report(YAML)["problems"] == [{"place": "Tasks[1].Action", "message": located[0]["message"]}]


def test_syntax_errors_read_as_a_sentence_with_line_and_column():
    (yaml_problem,) = editor_report("Description: b\n  Tasks: d: e\n")["problems"]
    assert yaml_problem["message"] == "invalid YAML at line 2, column 8: mapping values are not allowed here"
    assert (yaml_problem["line"], yaml_problem["column"]) == (2, 8)
    (unclosed,) = editor_report("a: 'open\nb: c\n")["problems"]
    assert "quoted scalar that starts at line 1, column 4" in unclosed["message"]
    (json_problem,) = editor_report('{"a": }')["problems"]
    assert json_problem["message"] == "invalid JSON at line 1, column 7: Expecting value"
    assert (json_problem["line"], json_problem["column"]) == (1, 7)
