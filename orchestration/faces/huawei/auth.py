"""SDK-HMAC-SHA256, as ``huaweicloudsdkcore.signer.Signer`` signs a request.

``Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2…>, Signature=<hex>``
over the canonical request: method, URI (each path segment percent-encoded, with a
trailing ``/``), sorted query string, the signed headers as ``name:value`` lines, the
signed header names, and the body's SHA-256 (or ``X-Sdk-Content-Sha256``). The string
to sign is ``SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<sha256(canonical request)>``; the
signature is its HMAC-SHA256 under the secret key. Keys are the shared access keys.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from urllib.parse import quote

from django.http import HttpRequest

from orchestration.faces import credentials

from .errors import auth_failed

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
AUTH_RE = re.compile(rf"^{ALGORITHM}\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$")


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_request(request: HttpRequest, signed_headers: list[str]) -> str:
    uri = "/".join(_encode(segment) for segment in request.path.split("/"))
    if not uri.endswith("/"):
        uri += "/"
    pairs = sorted((key, values) for key, values in request.GET.lists())
    query = "&".join(f"{_encode(key)}={_encode(value)}" for key, values in pairs for value in sorted(values))
    headers = "".join(f"{name}:{(request.headers.get(name) or '').strip()}\n" for name in signed_headers)
    payload = request.headers.get("X-Sdk-Content-Sha256") or hashlib.sha256(request.body or b"").hexdigest()
    return "\n".join([request.method.upper(), uri, query, headers, ";".join(signed_headers), payload])


def authenticate(request: HttpRequest) -> credentials.Caller:
    header = request.headers.get("Authorization", "")
    if not header:
        raise auth_failed("The Authorization header is missing; sign the request with SDK-HMAC-SHA256.")
    match = AUTH_RE.match(header.strip())
    if not match:
        raise auth_failed(f"The Authorization header is not '{ALGORITHM} Access=…, SignedHeaders=…, Signature=…'.")
    key_id, signed, given = match.groups()
    signed_headers = signed.lower().split(";")
    if "x-sdk-date" not in signed_headers or "host" not in signed_headers:
        raise auth_failed("SignedHeaders must include host and x-sdk-date.")
    try:
        moment = datetime.strptime(request.headers.get("X-Sdk-Date", ""), DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise auth_failed("X-Sdk-Date must be a UTC time such as 20240101T120000Z.") from None
    credentials.check_clock(moment)
    caller, secret = credentials.find_caller(key_id)
    canonical = canonical_request(request, signed_headers)
    string_to_sign = "\n".join([ALGORITHM, request.headers["X-Sdk-Date"],
                                hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    expected = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        raise auth_failed("The request signature does not match the one calculated with the secret key.")
    credentials.accept(caller)
    return caller
