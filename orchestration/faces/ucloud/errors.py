"""RetCodes of the UCloud-style face; every error is ``{"RetCode": n, "Action": …, "Message": …}``
with HTTP 200, as UCloud answers.

=====  =====================================================================
150    the service is temporarily unavailable (database or broker unreachable):
       HTTP 503 with Retry-After, the only error not answered with HTTP 200
160    the Action does not exist
161    Action is missing
170    Signature is missing
171    the Signature does not match (``Signature VerifyAC Error``)
172    PublicKey is missing
173    the PublicKey is unknown, or its key, owner or tenant is disabled
174    permission denied: CompanyID is not the caller's tenant, or the role is too low
175    replay: this exact signed state-changing form (same Signature) was already accepted within
       ``SIGNATURE_REPLAY_WINDOW_SECONDS``; a deliberate repeat must change a parameter
176    throttled: the PublicKey exceeded ``API_KEY_RATE``; the ``Retry-After`` header says when
       to come back (a common code, ≤ 2000, so the SDK does not retry it at once)
230    a parameter is missing, of the wrong type or out of range (``Params [X] …``)
8501   a TaskID (or Region, ProjectID) does not exist for the caller
8502   the task's status does not allow the operation
=====  =====================================================================
"""
from __future__ import annotations

from orchestration.availability import retry_after_seconds
from orchestration.errors import ServiceError
from orchestration.faces import credentials, throttling


class UCloudError(Exception):
    def __init__(self, ret_code: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.ret_code = ret_code
        self.message = message
        self.retry_after = retry_after


def unavailable() -> UCloudError:
    return UCloudError(150, "Service temporarily unavailable; retry shortly.", retry_after=retry_after_seconds())


def missing(name: str) -> UCloudError:
    return UCloudError(230, f"Missing params [{name}]")


def invalid(name: str, why: str) -> UCloudError:
    return UCloudError(230, f"Params [{name}] not available: {why}")


def from_service_error(exc: ServiceError) -> UCloudError:
    if isinstance(exc, throttling.RateLimited):
        return UCloudError(176, exc.message, retry_after=exc.retry_after)
    if isinstance(exc, credentials.SignatureReused):
        return UCloudError(175, exc.message)
    if isinstance(exc, credentials.AuthenticationError):
        return UCloudError(173, exc.message)
    if exc.kind == "not_found":
        return UCloudError(8501, exc.message)
    if exc.kind == "forbidden":
        return UCloudError(174, exc.message)
    if exc.kind == "conflict":
        return UCloudError(8502, exc.message)
    if exc.code.startswith("MissingParameter"):
        return missing(exc.place or exc.code.partition(".")[2])
    if exc.place:
        return invalid(exc.place, exc.reason)
    return UCloudError(230, exc.message)
