"""The one rule every face reads its parameters by: a bad value is an error naming the parameter."""
from datetime import UTC, datetime

import pytest

from orchestration import wire_parameters as wire
from orchestration.errors import InvalidParameter


@pytest.mark.parametrize("value", [True, "1.5", 1.5, "abc", "1e20", "0x10", [], "1_000"])
def test_an_integer_is_whole_text_or_a_json_integer_and_nothing_else(value):
    with pytest.raises(InvalidParameter) as raised:
        wire.integer(value, "MaxResults", minimum=1, maximum=100)
    assert raised.value.place == "MaxResults"
    assert "must be an integer from 1 to 100" in raised.value.reason


def test_integers_are_never_clamped_and_absent_means_the_default():
    assert wire.integer(" 25 ", "Size", minimum=1, maximum=100) == 25
    assert wire.integer(None, "Size", minimum=1, maximum=100, default=10) == 10
    assert wire.integer("", "Size", minimum=1, maximum=100, default=10) == 10
    with pytest.raises(InvalidParameter, match="got 101"):
        wire.integer(101, "Size", minimum=1, maximum=100)


def test_a_required_parameter_that_is_absent_is_missing_not_invalid():
    with pytest.raises(InvalidParameter) as raised:
        wire.text("", "TemplateName", required=True)
    assert raised.value.code == "MissingParameter"
    assert raised.value.place == "TemplateName"


def test_text_choices_length_and_numbers_sent_as_text():
    assert wire.text(42, "Name") == "42"
    assert wire.text("ASC", "sort_type", choices=("ASC", "DESC")) == "ASC"
    with pytest.raises(InvalidParameter, match="one of ASC, DESC, got 'up'"):
        wire.text("up", "sort_type", choices=("ASC", "DESC"))
    with pytest.raises(InvalidParameter, match="at most 3 characters"):
        wire.text("abcd", "Name", max_length=3)
    with pytest.raises(InvalidParameter, match="must be a string"):
        wire.text({"a": 1}, "Name")


def test_booleans_json_text_lists_and_dates():
    assert wire.boolean("TRUE", "Flag") is True
    assert wire.boolean(False, "Flag") is False
    with pytest.raises(InvalidParameter, match="true or false"):
        wire.boolean("yes", "Flag")
    assert wire.json_text('{"a": 1}', "Parameters", dict) == {"a": 1}
    with pytest.raises(InvalidParameter, match="must be a JSON object"):
        wire.json_text("[1]", "Parameters", dict)
    with pytest.raises(InvalidParameter, match="not valid JSON"):
        wire.json_text("{", "Parameters", dict)
    with pytest.raises(InvalidParameter) as raised:
        wire.text_list(["vm-1", ""], "ResourceIds")
    assert raised.value.place == "ResourceIds.1"
    assert wire.moment("2019-05-16T10:26:14Z", "StartDateAfter") == datetime(2019, 5, 16, 10, 26, 14, tzinfo=UTC)
    with pytest.raises(InvalidParameter, match="YYYY-MM-DDThh:mm:ssZ"):
        wire.moment("yesterday", "StartDateAfter")
