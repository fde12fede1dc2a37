"""The OpenAPI schema of the native API documents every error an operation can answer.

Errors share one body (:class:`~orchestration.api.errors.ErrorSerializer`) and arise from
the same few places for every viewset: authentication, the role check, throttling, a
database outage, bad input, a missing object, a conflicting write and an oversized body.
So the statuses are derived once from what kind of operation it is, instead of being
repeated by hand on each of them; an ``extend_schema(responses=…)`` that already names a
status wins.
"""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from orchestration.api.errors import ErrorSerializer

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}}

ERROR_DESCRIPTIONS = {
    400: "Invalid input: a field, filter, ordering or paging parameter (named in the message and detail).",
    401: "Not signed in: give a token (Authorization: Token …) or a session.",
    403: "Signed in, but your role does not allow this operation.",
    404: "No such object among those you may see (named in the path or the body), or no such page.",
    409: "The request conflicts with the current state, e.g. a name already taken.",
    413: "The request body is larger than the limit.",
    415: "The body's Content-Type is not one of those documented for the request body.",
    429: "Too many requests; retry after the number of seconds given.",
    503: "The service is briefly unavailable (e.g. its database); retry after the number of seconds given.",
}


class NativeAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses of each operation (``DEFAULT_SCHEMA_CLASS``)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in self.error_statuses(operation):
            responses.setdefault(str(status), self.error_response(status))
        return operation

    def error_statuses(self, operation: dict) -> list[int]:
        """The statuses this operation may answer with an error body, judged from its kind.

        Every call may be unauthenticated, forbidden, throttled or meet an outage. Reads
        with query parameters (filters, ordering, paging) and writes validate input (400);
        a path parameter, a page number or an id in a written body may name nothing (404);
        writes may conflict (409) and carry a body over the size limit (413); a request body in a
        media type the parsers do not read is refused (415).
        """
        parameters = operation.get("parameters", [])
        statuses = {401, 403, 429, 503}
        if self.method in WRITE_METHODS:
            statuses |= {400, 404, 409, 413}
        if "requestBody" in operation:
            statuses.add(415)
        if any(parameter["in"] == "query" for parameter in parameters):
            statuses.add(400)
        paginated = self._is_list_view() and self._get_paginator() is not None
        if paginated or any(parameter["in"] == "path" for parameter in parameters):
            statuses.add(404)
        return sorted(statuses)

    def error_response(self, status: int) -> dict:
        """The response object of one error status, its body the shared ``Error`` component."""
        response = self._get_response_for_code(
            OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[status]), str(status))
        if status in (429, 503):
            response["headers"] = RETRY_AFTER
        return response
