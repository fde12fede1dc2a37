"""Who signed a Baidu OOS request (bce-auth-v1).

bce-auth-v1 carries no nonce (and bce-python-sdk sends the same ``x-bce-request-id``
on every call), so replays are bounded by the signing time: at most
:data:`~orchestration.faces.credentials.MAX_CLOCK_SKEW` away, and never past the
signature's own expiration.
"""
from __future__ import annotations

import hmac
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from orchestration.faces import credentials
from orchestration.faces.credentials import Caller
from orchestration.wire_parameters import parse_iso_z

from . import signing
from .errors import BaiduError

MAX_EXPIRATION_SECONDS = 2**31 - 1


def authenticate(request: HttpRequest) -> Caller:
    header = request.headers.get("Authorization", "")
    if not header:
        raise BaiduError("AccessDenied", "The Authorization header (bce-auth-v1) is missing.", 403)
    auth = signing.parse_authorization(header)
    if auth is None:
        raise BaiduError(
            "InvalidHTTPAuthHeader",
            "The Authorization header must read bce-auth-v1/{accessKeyId}/{timestamp}/{expiration}/"
            "{signedHeaders}/{signature}.",
        )
    if auth.expiration > MAX_EXPIRATION_SECONDS:  # would overflow the date arithmetic below
        raise BaiduError("InvalidAuthorization", f"The expiration {auth.expiration} seconds is out of range "
                                                 f"(at most {MAX_EXPIRATION_SECONDS}).")
    moment = parse_iso_z(auth.timestamp)
    if moment is None:
        raise BaiduError("InvalidHTTPAuthHeader", f"The signing time {auth.timestamp!r} is not YYYY-MM-DDThh:mm:ssZ.")
    if timezone.now() > moment + timedelta(seconds=auth.expiration):
        raise BaiduError("RequestExpired", f"The signature expired {auth.expiration} seconds after {auth.timestamp}.")
    credentials.check_clock(moment)
    caller, secret = credentials.find_caller(auth.access_key_id)
    headers = {name.lower(): value for name, value in request.headers.items()}
    query = {key: request.GET[key] for key in request.GET}
    canonical = signing.canonical_request(request.method, request.path, query, headers, auth.signed_headers)
    if not hmac.compare_digest(signing.signature(secret, auth, canonical).encode(), auth.signature.encode()):
        raise BaiduError("SignatureDoesNotMatch", "The request signature does not match (bce-auth-v1).", 400)
    credentials.accept(caller)
    return caller
