"""Baidu OOS errors: ``{success: false, msg, code, result: null}`` plus the BCE error fields
(``message``, ``requestId``) that ``bce-python-sdk`` reads into ``BceServerError``.

A key over ``API_KEY_RATE`` gets ``RequestRateLimitExceeded`` with HTTP 429 and
``Retry-After``; bce-python-sdk's retry policy leaves 429 to the caller (it retries only
500, 503 and ``RequestExpired``), so a script sees ``BceHttpClientError`` at once."""
from __future__ import annotations

from orchestration.availability import retry_after_seconds
from orchestration.errors import ServiceError
from orchestration.faces import credentials, throttling


class BaiduError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after


def unavailable() -> BaiduError:
    return BaiduError("ServiceUnavailable", "Service temporarily unavailable; retry shortly.", 503,
                      retry_after=retry_after_seconds())


def from_service_error(exc: ServiceError) -> BaiduError:
    if isinstance(exc, throttling.RateLimited):
        return BaiduError("RequestRateLimitExceeded", exc.message, 429, retry_after=exc.retry_after)
    if isinstance(exc, credentials.UnknownAccessKey):
        return BaiduError("InvalidAccessKeyId", exc.message, 403)
    if isinstance(exc, credentials.DisabledAccessKey):
        return BaiduError("AccessDenied", exc.message, 403)
    if isinstance(exc, credentials.RequestExpired):
        return BaiduError("RequestExpired", exc.message, 400)
    generic = {"invalid": "InvalidParameter", "limit": "InvalidParameter", "MissingParameter": "InvalidParameter",
               "not_found": "ResourceNotFound",
               "forbidden": "AccessDenied", "conflict": "Conflict"}
    code = generic.get(exc.code, exc.code)
    if exc.kind == "forbidden":
        code = "AccessDenied"
    return BaiduError(code, exc.message, exc.http_status)
