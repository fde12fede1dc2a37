"""Random and mutated templates: validate() must only ever report problems."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from templates_app.language.validation import validate

from .conftest_helpers import VALID

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 2000), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "{{ Pattern }}", "{{ nope.x }}", "{{ ", "ACS::NEXT", "ACS::END", "describe", "stop",
                     "{{ ACS::TaskLoopItem }}", ".[", ".VMs[]", "10%", "PT1M", "Batch", "String", "List"]),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["Fn::Join", "Fn::If", "Ref", "Name", "Action", "Items", "x", "Type"]),
                        children, max_size=3),
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


ALL_PATHS = [p for p in _paths(VALID) if p]


@st.composite
def mutated(draw):
    data = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            action = draw(st.sampled_from(["replace", "delete", "rename"]))
            if action == "replace":
                parent[key] = draw(values)
            elif action == "delete":
                del parent[key]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=8))] = parent.pop(key)
        except (KeyError, IndexError, TypeError):
            continue
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_templates_only_yield_problems(data):
    result = validate(data)
    assert (result.parsed is None) == bool(result.problems)
    for problem in result.problems:
        assert isinstance(problem.place, str) and isinstance(problem.message, str)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(max_size=200), st.dictionaries(st.text(max_size=10), values, max_size=5)))
def test_random_content_only_yields_problems(content):
    result = validate(content)
    assert (result.parsed is None) == bool(result.problems)
