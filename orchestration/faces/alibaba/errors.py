"""Alibaba OOS error codes: the face's own errors, and service errors translated to them.

Every error is answered as ``{RequestId, HostId, Code, Message}`` with the HTTP status
Alibaba Cloud uses for that code. A key over ``API_KEY_RATE`` gets ``Throttling.User``
(HTTP 400, as Alibaba Cloud answers it) with ``Retry-After`` (seconds) and
``x-acs-retry-after`` (milliseconds): the header from which the Tea SDKs
(``alibabacloud-tea-openapi``) raise a ``ThrottlingException`` and take their back-off.
"""
from __future__ import annotations

from orchestration.availability import retry_after_seconds
from orchestration.errors import InvalidParameter, ServiceError
from orchestration.faces import credentials, throttling


class AlibabaError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after


def missing(name: str) -> AlibabaError:
    return AlibabaError(
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
    )


def signature_mismatch(string_to_sign: str) -> AlibabaError:
    # The SDKs compare the part after the colon with their own string to sign, to tell
    # a wrong secret (same string) from a mangled request (different string).
    return AlibabaError(
        "SignatureDoesNotMatch",
        f"Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}",
    )


def unavailable() -> AlibabaError:
    return AlibabaError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.", 503,
                        retry_after=retry_after_seconds())


def from_service_error(exc: ServiceError) -> AlibabaError:
    """The Alibaba code and status for an error raised by a service or the credentials layer."""
    if isinstance(exc, throttling.RateLimited):
        return AlibabaError("Throttling.User", f"Request was denied due to user flow control. {exc.message}",
                            400, retry_after=exc.retry_after)
    if isinstance(exc, credentials.UnknownAccessKey):
        return AlibabaError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
    if isinstance(exc, credentials.DisabledAccessKey):
        return AlibabaError("InvalidAccessKeyId.Inactive", exc.message, 400)
    if isinstance(exc, credentials.RequestExpired):
        return AlibabaError("InvalidTimeStamp.Expired", exc.message, 400)
    if isinstance(exc, credentials.NonceReused):
        return AlibabaError("SignatureNonceUsed", exc.message, 400)
    if exc.kind == "not_found":
        return AlibabaError(exc.code, exc.message, 404)
    if exc.kind == "forbidden":
        return AlibabaError(exc.code if exc.code != "forbidden" else "Forbidden", exc.message, 403)
    if exc.kind == "conflict":
        return AlibabaError(exc.code if exc.code != "conflict" else "Conflict", exc.message, 409)
    if isinstance(exc, InvalidParameter) and exc.place:
        if exc.code == "MissingParameter":
            return missing(exc.place)
        return AlibabaError(exc.code, f'The parameter "{exc.place}" is invalid: {exc.reason}')
    code = exc.code if exc.code not in ("invalid", "limit") else "InvalidParameter"
    if code.startswith("MissingParameter"):
        code = "MissingParameter"
    return AlibabaError(code, exc.message, exc.http_status if 400 <= exc.http_status < 500 else 400)
