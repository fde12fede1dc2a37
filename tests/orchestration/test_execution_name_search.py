"""Substring search on executions' template names (``template_name`` filter, console ``q``).

On PostgreSQL the distinct names are matched first and the rows read by name; with many
distinct names the trigram match is used. Both paths must answer exactly what
``icontains`` answers, LIKE's own characters included, and stay within the caller's rows.
"""
from __future__ import annotations

import pytest

from orchestration.models import Execution
from orchestration.services import execution_queries
from orchestration.services.execution_queries import ExecutionFilter, filter_executions

pytestmark = pytest.mark.django_db

NAMES = ["ACS-ECS-BulkyRun", "acs-ecs-stop", "a_b", "axb", "100%", "1000", "Ünïcode-Run", ""]


@pytest.fixture
def runs(tenant_a, tenant_b):
    mine = {name: Execution.objects.create(tenant=tenant_a, template_name=name, template_version="v1",
                                           template_content="{}") for name in NAMES}
    Execution.objects.create(tenant=tenant_b, template_name="acs-ecs-theirs", template_version="v1",
                             template_content="{}")
    return mine


def names_found(tenant, **spec) -> set[str]:
    rows = filter_executions(Execution.objects.filter(tenant=tenant), ExecutionFilter(**spec))
    return set(rows.values_list("template_name", flat=True))


def expected(tenant, part: str) -> set[str]:
    return set(Execution.objects.filter(tenant=tenant, template_name__icontains=part)
               .values_list("template_name", flat=True))


@pytest.mark.parametrize("many_names", [False, True], ids=["distinct names first", "trigram fallback"])
@pytest.mark.parametrize("part", ["acs-ecs", "ECS-B", "a_b", "%", "100%", "ünï", "run", "zzz"])
def test_a_template_name_part_finds_exactly_what_icontains_finds(runs, tenant_a, monkeypatch, many_names, part):
    if many_names:
        monkeypatch.setattr(execution_queries, "NAME_SCAN_LIMIT", 2)
    assert names_found(tenant_a, template_name=part) == expected(tenant_a, part)
    assert names_found(tenant_a, search=part) == expected(tenant_a, part)


def test_literal_like_characters_match_only_themselves(runs, tenant_a):
    assert names_found(tenant_a, template_name="a_b") == {"a_b"}  # not "axb"
    assert names_found(tenant_a, template_name="0%") == {"100%"}  # not "1000"


def test_another_tenants_rows_of_a_matching_name_stay_out(runs, tenant_a, tenant_b):
    assert names_found(tenant_a, template_name="acs-ecs") == {"ACS-ECS-BulkyRun", "acs-ecs-stop"}
    assert names_found(tenant_b, template_name="acs-ecs") == {"acs-ecs-theirs"}


def test_the_search_also_finds_an_execution_by_its_id(runs, tenant_a):
    run = runs["axb"]
    found = filter_executions(Execution.objects.filter(tenant=tenant_a), ExecutionFilter(search=run.pk))
    assert list(found.values_list("pk", flat=True)) == [run.pk]


def test_a_small_catalogue_is_matched_by_name_and_a_large_one_by_pattern(runs, monkeypatch):
    """Few distinct names: the rows are read by name (b-tree); too many: by pattern (trigrams)."""
    by_name = str(Execution.objects.filter(execution_queries.template_name_contains("acs")).query)
    assert "IN (" in by_name and "LIKE" not in by_name
    monkeypatch.setattr(execution_queries, "NAME_SCAN_LIMIT", 2)
    by_pattern = str(Execution.objects.filter(execution_queries.template_name_contains("acs")).query)
    assert "LIKE" in by_pattern


@pytest.mark.parametrize(("term", "found"), [
    ("acs-ecs", {"ACS-ECS-BulkyRun", "acs-ecs-stop"}),
    ("ecs bulky", {"ACS-ECS-BulkyRun"}),  # every word must match
    ('"a_b"', {"a_b"}),
    ('"', set()),
    ("exec-none", set()),
])
def test_the_admin_search_matches_names_the_same_way(runs, client, admin_a, term, found):
    client.force_login(admin_a)  # tenant A's admin: tenant B's "acs-ecs-theirs" stays out
    response = client.get("/admin/orchestration/execution/", {"q": term})
    assert response.status_code == 200
    shown = {row.template_name for row in response.context["cl"].result_list}
    assert shown == found


def test_the_admin_search_finds_an_execution_by_its_id_as_the_console_does(runs, client, admin_a):
    run = runs["axb"]
    client.force_login(admin_a)
    response = client.get("/admin/orchestration/execution/", {"q": run.pk})
    assert [row.pk for row in response.context["cl"].result_list] == [run.pk]
