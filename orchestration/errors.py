"""Domain errors raised by services, translated by each API face into its own envelope.

A service raises e.g. ``NotFound("Template", "t-123")`` or
``InvalidParameter("Name", "…")``; the native API answers
``{"code": "not_found", …}`` with 404, the Alibaba face ``EntityNotExists.Template``,
and so on. ``code`` is a stable, face-neutral word; ``kind`` picks the HTTP status class.
"""
from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every error a service reports to a caller."""

    kind = "invalid"  # one of: invalid, not_found, conflict, forbidden, limit, too_large
    http_status = 400

    def __init__(self, message: str, *, code: str = "", detail: Any = None, place: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code or self.kind
        self.detail = detail
        self.place = place
        # What is wrong without the place, for faces that name the place their own way.
        self.reason = message.removeprefix(f"{place}: ") if place else message


class InvalidParameter(ServiceError):
    """A caller-supplied value is wrong. ``place`` names the parameter."""

    def __init__(self, place: str, message: str, *, code: str = "InvalidParameter", detail: Any = None):
        super().__init__(f"{place}: {message}" if place else message, code=code, detail=detail, place=place)


class NotFound(ServiceError):
    kind = "not_found"
    http_status = 404

    def __init__(self, entity: str, identifier: Any, *, message: str = ""):
        self.entity = entity
        self.identifier = identifier
        super().__init__(message or f"{entity} {identifier!r} does not exist.", code=f"EntityNotExists.{entity}")


class Conflict(ServiceError):
    kind = "conflict"
    http_status = 409


class Forbidden(ServiceError):
    kind = "forbidden"
    http_status = 403


class LimitExceeded(ServiceError):
    kind = "limit"
    http_status = 400
