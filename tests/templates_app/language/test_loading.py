import time

import pytest

from templates_app.language.loading import MAX_CONTENT_BYTES, dump_content, load_content
from templates_app.language.problems import Problem, TemplateInvalid


def test_json_first_then_yaml():
    assert load_content('{"FormatVersion": "OOS-2019-06-01"}').format == "JSON"
    loaded = load_content("FormatVersion: OOS-2019-06-01\nTasks: []\n")
    assert loaded.format == "YAML"
    assert loaded.data == {"FormatVersion": "OOS-2019-06-01", "Tasks": []}


def test_over_64_kb_refused_exactly_at_limit():
    body = '{"Description": "' + "x" * (MAX_CONTENT_BYTES - 20) + '"}'
    assert len(body.encode()) <= MAX_CONTENT_BYTES
    load_content(body)
    too_big = '{"Description": "' + "é" * (MAX_CONTENT_BYTES // 2) + '"}'
    with pytest.raises(TemplateInvalid) as exc:
        load_content(too_big)
    assert exc.value.problems[0].place == "Content"
    assert "65536" in exc.value.problems[0].message


def test_yaml_alias_bomb_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    start = time.monotonic()
    with pytest.raises(TemplateInvalid) as exc:
        load_content("\n".join(lines))
    assert time.monotonic() - start < 0.5
    assert "aliases" in exc.value.problems[0].message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text", "42", "~"])
def test_top_level_must_be_mapping(text):
    with pytest.raises(TemplateInvalid) as exc:
        load_content(text)
    assert "mapping" in exc.value.problems[0].message


def test_bad_json_reports_json_error():
    with pytest.raises(TemplateInvalid) as exc:
        load_content('{"a": }')
    assert exc.value.problems[0].message.startswith("invalid JSON")


def test_yaml_dates_stay_strings_and_non_string_keys_refused():
    assert load_content("When: 2024-01-01\n").data == {"When": "2024-01-01"}
    with pytest.raises(TemplateInvalid):
        load_content("1: a\n")


def test_deep_nesting_refused():
    with pytest.raises(TemplateInvalid):
        load_content('{"a": ' + "[" * 5000 + "]" * 5000 + "}")


def test_dump_round_trip_both_formats():
    data = {"FormatVersion": "OOS-2019-06-01", "Tasks": [{"Name": "a", "Properties": {"x": [1, 2]}}]}
    shared = [1, 2]
    data["Tasks"][0]["Properties"]["y"] = shared
    data["Tasks"][0]["Properties"]["z"] = shared
    for fmt in ("JSON", "YAML"):
        text = dump_content(data, fmt)
        assert "*id" not in text
        assert load_content(text).data == data


def test_problem_str():
    assert str(Problem("Tasks[2].Action", "unknown action 'ACS::Foo'")) == "Tasks[2].Action: unknown action 'ACS::Foo'"
