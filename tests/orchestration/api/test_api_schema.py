"""The OpenAPI document at /api/schema/ documents the shared error body and the shape of every list."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_the_error_body_is_one_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "detail"} and error["properties"]["detail"]["nullable"]


def test_every_operation_documents_its_errors(schema):
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        documented = set(responses)
        assert {"401", "403", "429", "503"} <= documented, (method, path)
        if "{" in path or method in ("POST", "PUT", "PATCH", "DELETE"):
            assert "404" in documented, (method, path)
        if method in ("POST", "PUT", "PATCH"):
            assert {"400", "409", "413"} <= documented, (method, path)
        if "requestBody" in operation:
            assert "415" in documented, (method, path)
        for status, response in responses.items():
            if status >= "400":
                assert response["content"]["application/json"]["schema"] == ERROR, (method, path, status)
    assert "Retry-After" in schema["paths"]["/api/v1/templates/"]["get"]["responses"]["429"]["headers"]


def test_filters_and_paging_of_a_list_can_be_a_400(schema):
    assert "400" in schema["paths"]["/api/v1/executions/"]["get"]["responses"]


@pytest.mark.parametrize("path,item", [("/api/v1/orch-tasks/types/", "OrchTaskType"),
                                       ("/api/v1/templates/{id}/versions/", "TemplateVersionSummary")])
def test_small_fixed_lists_are_plain_arrays(schema, api, operator_a, path, item):
    operation = schema["paths"][path]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}
    assert not [p for p in operation.get("parameters", []) if p["in"] == "query"]


def test_orch_task_types_answer_the_documented_plain_list(api, operator_a):
    body = api.as_user(operator_a).get("/api/v1/orch-tasks/types/", {"page_size": "1"}).json()
    assert isinstance(body, list) and len(body) > 1 and {"task_type", "name", "action"} <= set(body[0])
