"""Huawei AOM errors: ``{"error_code", "error_msg", "http_code"}`` with that HTTP status.

=================  ====  ==============================================================
AOM.31001302       400   invalid input: the body, a field's type or value (message names it);
                   413   the same code for a body over the size limit
AOM.31009003       401   auth failed: no or malformed Authorization, unknown key, bad signature,
                         expired X-Sdk-Date
AOM.31009004       403   the key's tenant or role does not allow it, or the project is not the caller's
AOM.31001305       500   workflow internal server error (with the request id of the server log,
                         also in ``X-Request-Id`` where the SDK reads it)
APIG.0201          503   the service's database or broker is unreachable (with Retry-After)
APIGW.0308         429   the access key exceeded ``API_KEY_RATE`` (API Gateway's throttling code,
                         which fronts every Huawei Cloud API); ``Retry-After`` says when
=================  ====  ==============================================================
"""
from __future__ import annotations

from django.http import JsonResponse

from orchestration.availability import retry_after_seconds, with_retry_after
from orchestration.errors import ServiceError
from orchestration.faces import credentials, throttling


class HuaweiError(Exception):
    def __init__(self, error_code: str, error_msg: str, http_code: int, request_id: str = "",
                 retry_after: int | None = None):
        super().__init__(error_msg)
        self.error_code = error_code
        self.error_msg = error_msg
        self.http_code = http_code
        self.request_id = request_id
        self.retry_after = retry_after

    def response(self) -> JsonResponse:
        response = JsonResponse({"error_code": self.error_code, "error_msg": self.error_msg,
                                 "http_code": self.http_code}, status=self.http_code)
        if self.request_id:
            response["X-Request-Id"] = self.request_id
        return with_retry_after(response, self.retry_after)


def invalid(field: str, why: str) -> HuaweiError:
    return HuaweiError("AOM.31001302", f"Invalid input parameter. {field}: {why}", 400)


def auth_failed(why: str) -> HuaweiError:
    return HuaweiError("AOM.31009003", f"auth failed. {why}", 401)


def forbidden(why: str) -> HuaweiError:
    return HuaweiError("AOM.31009004", f"Forbidden. {why}", 403)


def unavailable() -> HuaweiError:
    return HuaweiError("APIG.0201", "Backend unavailable: the service is temporarily unavailable; retry shortly.", 503,
                       retry_after=retry_after_seconds())


def internal(request_id: str) -> HuaweiError:
    return HuaweiError("AOM.31001305", f"workflow internal server error (request {request_id}).", 500, request_id)


def from_service_error(exc: ServiceError) -> HuaweiError:
    if isinstance(exc, throttling.RateLimited):
        return HuaweiError("APIGW.0308", f"The throttling threshold has been reached. {exc.message}", 429,
                           retry_after=exc.retry_after)
    if isinstance(exc, credentials.AuthenticationError):
        return auth_failed(exc.message)
    if exc.kind == "forbidden":
        return forbidden(exc.message)
    if exc.kind == "too_large":
        return HuaweiError("AOM.31001302", f"Invalid input parameter. body: {exc.message}", 413)
    return invalid(exc.place or "request", exc.reason)
