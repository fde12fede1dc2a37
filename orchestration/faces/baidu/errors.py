"""Baidu OOS errors: ``{success: false, msg, code, result: null}`` plus the BCE error fields
(``message``, ``requestId``) that ``bce-python-sdk`` reads into ``BceServerError``."""
from __future__ import annotations

from orchestration.errors import ServiceError
from orchestration.faces import credentials


class BaiduError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def unavailable() -> BaiduError:
    return BaiduError("ServiceUnavailable", "Service temporarily unavailable; retry shortly.", 503)


def from_service_error(exc: ServiceError) -> BaiduError:
    if isinstance(exc, credentials.UnknownAccessKey):
        return BaiduError("InvalidAccessKeyId", exc.message, 403)
    if isinstance(exc, credentials.DisabledAccessKey):
        return BaiduError("AccessDenied", exc.message, 403)
    if isinstance(exc, credentials.RequestExpired):
        return BaiduError("RequestExpired", exc.message, 400)
    generic = {"invalid": "InvalidParameter", "limit": "InvalidParameter", "not_found": "ResourceNotFound",
               "forbidden": "AccessDenied", "conflict": "Conflict"}
    code = generic.get(exc.code, exc.code)
    if exc.kind == "forbidden":
        code = "AccessDenied"
    return BaiduError(code, exc.message, exc.http_status)
