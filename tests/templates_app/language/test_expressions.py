import time

import pytest

from templates_app.language.expressions import ExpressionError, check_syntax, references, render

CTX = {
    "Names": ["a", "b"],
    "Count": 3,
    "describe": {"ids": ["vm-1", "vm-2"], "meta": {"k": "v"}},
    "ACS::ExecutionId": "exec-123",
    "ACS::TaskLoopItem": "vm-7",
    "ACS::RegionId": "dc-east",
}


def test_native_values_for_single_expression():
    assert render("{{ Names }}", CTX) == ["a", "b"]
    assert render("  {{ Count }} ", CTX) == 3
    assert render("{{ describe.meta }}", CTX) == {"k": "v"}
    assert render("n={{ Count }}", CTX) == "n=3"
    assert render({"x": ["{{ describe.ids }}", "{{ Count + 1 }}"]}, CTX) == {"x": [["vm-1", "vm-2"], 4]}


def test_pseudo_parameters():
    assert render("{{ ACS::ExecutionId }}/{{ ACS::TaskLoopItem }}", CTX) == "exec-123/vm-7"
    assert render("{{ ACS::RegionId }}", CTX) == "dc-east"


def test_undefined_is_an_error():
    with pytest.raises(ExpressionError, match="Nope"):
        render("{{ Nope }}", CTX)
    with pytest.raises(ExpressionError, match="ACS::TemplateName"):
        render("{{ ACS::TemplateName }}", CTX)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "x {{ self._TemplateReference__context }}",
        "{{ [self._TemplateReference__context] }}",
        "{{ Names.append(1) }}",
        "{{ ''.__class__.__base__.__subclasses__() }}",
        "{{ lipsum.__globals__ }}",
    ],
)
def test_sandbox_escapes_refused(source):
    with pytest.raises(ExpressionError):
        render(source, CTX)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a' * 10**9 }}",
        "{{ [1] * 10**9 }}",
        "{{ 'a'.center(10**9) }}",
        "{{ '%999999999s' % 'a' }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ 'ab'|replace('', 'a' * 900000) }}",
        "{{ range(100000)|join('a' * 999999) }}",
        "{{ range(10**9)|list }}",
        "{{ 2 ** 100000 }}",
    ],
)
def test_memory_bombs_fail_fast(source):
    start = time.monotonic()
    with pytest.raises(ExpressionError):
        render(source, CTX)
    assert time.monotonic() - start < 1


def test_statements_not_supported():
    assert check_syntax("{% for i in range(9) %}x{% endfor %}")
    assert render("echo ${#arr[@]}", CTX) == "echo ${#arr[@]}"


def test_references_and_syntax():
    assert references(["{{ Names }}", {"k": "{{ describe.ids | length }} {{ ACS::TaskLoopItem }}"}, {"Ref": "x"}]) == {
        "Names", "describe", "ACS::TaskLoopItem", "x",
    }
    assert references("{{ range(3) | list }}") == set()
    problems = check_syntax({"a": "{{ x", "b": {"Fn::Nope": 1}})
    assert any(p.startswith("a: bad expression") for p in problems)
    assert any("unknown function Fn::Nope" in p for p in problems)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Fn::Join": [",", ["a", "b", "c"]]}, "a,b,c"),
        ({"Fn::Join": ["-", "{{ Names }}"]}, "a-b"),
        ({"Fn::Select": ["1", ["a", "b"]]}, "b"),
        ({"Fn::Select": [-1, ["a", "b"]]}, "b"),
        ({"Fn::Select": ["k", {"k": 1}]}, 1),
        ({"Fn::Select": ["z", {"k": 1}, "dflt"]}, "dflt"),
        ({"Fn::Select": ["0:2", [1, 2, 3]]}, [1, 2]),
        ({"Fn::Split": [",", "a,b"]}, ["a", "b"]),
        ({"Fn::Replace": [{"$name": "web"}, "host-$name"]}, "host-web"),
        ({"Fn::Equals": ["{{ Count }}", 3]}, True),
        ({"Fn::Not": [True]}, False),
        ({"Fn::Not": "false"}, True),
        ({"Fn::And": [True, "{{ Count > 2 }}"]}, True),
        ({"Fn::Or": [False, False]}, False),
        ({"Fn::Min": [3, 1, 2]}, 1),
        ({"Fn::Max": "{{ describe.ids }}"}, "vm-2"),
        ({"Fn::First": ["x", "y"]}, "x"),
        ({"Fn::Last": ["x", "y"]}, "y"),
        ({"Fn::MergeMap": [{"a": 1}, {"b": 2}, {"a": 3}]}, {"a": 3, "b": 2}),
        ({"Fn::Jq": ["First", ".a", '{"a": 5}']}, 5),
        ({"Fn::Jq": ["All", ".[] | .n", [{"n": 1}, {"n": 2}]]}, [1, 2]),
        ({"Fn::Base64Encode": "string to encode"}, "c3RyaW5nIHRvIGVuY29kZQ=="),
        ({"Fn::Base64Decode": "c3RyaW5nIHRvIGVuY29kZQ=="}, "string to encode"),
        ({"Fn::FormatUTCTime": ["2019-06-01T02:12:45Z", "%Y-%m-%d %H"]}, "2019-06-01 02"),
        ({"Fn::AddHour": ["2019-06-01T23:12:45Z", 2]}, "2019-06-02T01:12:45Z"),
        ({"Fn::If": [{"Fn::Equals": [1, 1]}, "yes", "{{ Undefined }}"]}, "yes"),
        ({"Ref": "Count"}, 3),
    ],
)
def test_functions(value, expected):
    assert render(value, CTX) == expected


def test_if_uses_named_conditions():
    conditions = {"IsBig": {"Fn::Equals": ["{{ Count }}", 3]}}
    assert render({"Fn::If": ["IsBig", "big", "small"]}, CTX, conditions) == "big"


@pytest.mark.parametrize(
    "value",
    [
        {"Fn::Join": "nope"},
        {"Fn::Select": [5, ["a"]]},
        {"Fn::Base64Decode": "!!!"},
        {"Fn::AddHour": ["yesterday", 1]},
        {"Fn::Jq": ["Some", ".", "{}"]},
        {"Fn::Unknown": 1},
        {"Fn::Min": []},
        {"Fn::Replace": [{"a": "x" * 2000}, "a" * 1000]},  # 2 MB: refused before allocating
        {"Fn::Join": [",", ["x" * 600000, "y" * 600000]]},
    ],
)
def test_function_errors_are_expression_errors(value):
    with pytest.raises(ExpressionError):
        render(value, CTX)
