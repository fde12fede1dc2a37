"""Hostile input on the native API: a clear ``{code, message, detail}`` answer, never a 500 or HTML."""
from __future__ import annotations

import json
import logging

import pytest

from orchestration import request_limits
from templates_app.api import views as template_views

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/templates/"
EXECUTIONS = "/api/v1/executions/"
CONTENT = {"FormatVersion": "OOS-2019-06-01", "Tasks": [{"Name": "w", "Action": "ACS::Sleep",
                                                         "Properties": {"Duration": "PT1S"}}]}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "detail"} and body["code"] == code, body
    return body


@pytest.mark.parametrize("value", ["null", "1.5", "-1", "0", "abc", "1e20", "1001", "99999999999999999999999"])
@pytest.mark.parametrize("url", [TEMPLATES, EXECUTIONS])
def test_bad_page_size_is_a_400_naming_it(api, viewer_a, url, value):
    body = problem(api.as_user(viewer_a).get(url, {"page_size": value}), 400, "invalid")
    assert body["message"].startswith("page_size:") and body["detail"]["place"] == "page_size"


def test_good_page_size_pages(api, operator_a, tenant_a):
    client = api.as_user(operator_a)
    for name in ("a", "b", "c"):
        assert client.post(TEMPLATES, {"name": name, "content": CONTENT}, format="json").status_code == 201
    page = client.get(TEMPLATES, {"page_size": "2", "share_type": "Private"}).json()
    assert len(page["results"]) == 2 and page["count"] == 3 and page["next"]


@pytest.mark.parametrize("url,param", [(TEMPLATES, "created_after"), (EXECUTIONS, "created_before")])
def test_malformed_date_filter_is_a_400_naming_it(api, viewer_a, url, param):
    body = problem(api.as_user(viewer_a).get(url, {param: "yesterday"}), 400, "invalid")
    assert param in body["detail"]


@pytest.mark.parametrize("levels", [65, 10_000])
def test_deeply_nested_json_body_is_refused_before_parsing(api, operator_a, levels):
    payload = '{"name": "deep", "content": ' + deep(levels) + "}"
    response = api.as_user(operator_a).post(TEMPLATES, payload, content_type="application/json")
    body = problem(response, 400, "parse_error")
    assert "nested deeper than the limit of 64 levels" in body["message"]


def test_json_at_the_depth_limit_is_parsed(api, operator_a):
    nested = json.loads(deep(62))  # body and content objects make 64 levels
    response = api.as_user(operator_a).post(TEMPLATES, {"name": "ok", "content": {**CONTENT, "Extra": nested}},
                                            format="json")
    assert response.status_code != 500 and response.json().get("code") != "parse_error", response.content


def test_oversized_body_is_a_413(api, operator_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    payload = json.dumps({"name": "big", "content": {**CONTENT, "Description": "x" * 200_000}})
    body = problem(api.as_user(operator_a).post(TEMPLATES, payload, content_type="application/json"), 413,
                   "too_large")
    assert "100000 bytes" in body["message"]
    form = api.as_user(operator_a).post(TEMPLATES, {"name": "big", "content": "x" * 200_000}, format="multipart")
    problem(form, 413, "too_large")


def test_unexpected_error_is_json_with_a_logged_request_id(api, viewer_a, monkeypatch, caplog):
    def boom(self):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(template_views.TemplateViewSet, "get_queryset", boom)
    with caplog.at_level(logging.ERROR):
        body = problem(api.as_user(viewer_a).get(TEMPLATES), 500, "server_error")
    request_id = body["detail"]["request_id"]
    assert request_id in body["message"]
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_depth_scan_ignores_brackets_inside_strings():
    assert request_limits.loads(json.dumps({"s": "[" * 1000})) == {"s": "[" * 1000}


@pytest.mark.parametrize("url,param", [(TEMPLATES, "created_after"), (EXECUTIONS, "created_before")])
def test_date_filter_the_database_cannot_compare_is_a_400(api, viewer_a, url, param):
    """Python parses a UTC offset up to ±23:59; PostgreSQL refuses anything past ±15:59."""
    body = problem(api.as_user(viewer_a).get(url, {param: "2020-01-28T22:53:18+20:42"}), 400, "invalid")
    assert "time zone displacement out of range" in body["message"]
