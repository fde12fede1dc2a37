"""jq runs out of process: a runaway selector is stopped, the caller and the next call are fine."""
import time

import pytest

from templates_app.language import jq_sandbox
from templates_app.language.selectors import SelectorError, select, select_all


@pytest.fixture
def short_timeout(monkeypatch):
    monkeypatch.setattr(jq_sandbox, "TIMEOUT_SECONDS", 1.0)


@pytest.mark.parametrize("program", ["last(range(1e12))", "def f: f; f", "[repeat(1)] | length"])
def test_endless_program_is_stopped_at_the_time_limit(short_timeout, program):
    started = time.monotonic()
    with pytest.raises(SelectorError, match="took longer than 1 s"):
        select_all(program, {})
    assert time.monotonic() - started < 3
    assert select(".a", {"a": "next call works"}) == "next call works"


def test_memory_bomb_dies_in_the_child(short_timeout):
    with pytest.raises(SelectorError, match="ran out of memory|took longer"):
        select_all('"x" * 1e9 | length', {})
    assert select_all(".[]", [1, 2]) == [1, 2]


def test_results_and_errors_cross_the_process_boundary_unchanged():
    data = {"Vms": [{"Id": "vm-1", "名前": "ウェブ", "n": 2.5, "on": True, "tags": None}]}
    assert select_all(".Vms[0]", data) == [data["Vms"][0]]
    assert select_all(".Vms[].n * 2", data) == [5.0]
    assert select_all("empty", data) == []
    with pytest.raises(SelectorError, match="boom"):
        select_all('error("boom")', data)


def test_a_forked_process_starts_its_own_evaluator(monkeypatch):
    select_all(".", 1)
    first = jq_sandbox._process
    monkeypatch.setattr(jq_sandbox, "_owner", -1)  # as seen from a process forked after the start
    assert select_all(". + 1", 1) == [2]
    assert jq_sandbox._process is not first and first.poll() is None  # the parent's child is left alone
    first.kill()
    first.wait()


def test_an_evaluator_killed_between_calls_is_replaced():
    select_all(".", 1)
    jq_sandbox._process.kill()
    jq_sandbox._process.wait()
    assert select_all(". * 2", 21) == [42]
