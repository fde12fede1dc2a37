"""Assertions on the native API's one error body, shared by the API tests."""
from __future__ import annotations


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response has ``status`` and the ``{code, message, detail}`` body; returns the body."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    assert body["message"]
    if code:
        assert body["code"] == code, body
    return body
