"""The two request signatures Alibaba Cloud SDKs send, as pure functions.

* RPC signature v1 (``SignatureMethod=HMAC-SHA1``), sent by ``aliyun-python-sdk-core``:
  ``base64(HMAC-SHA1(secret + "&", METHOD&%2F&percent(sorted k=v&…)))`` over every
  parameter but ``Signature``.
* ``ACS3-HMAC-SHA256``, sent by the ``alibabacloud-*`` (Tea) SDKs in ``Authorization``:
  ``hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\\n" + hex(SHA256(canonical request))))``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

V1_METHOD = "HMAC-SHA1"
ACS3_ALGORITHM = "ACS3-HMAC-SHA256"

_AUTHORIZATION = re.compile(
    r"^(?P<algorithm>ACS3-[A-Z0-9-]+)\s+Credential=(?P<key>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<headers>[^,\s]*)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba specifies it (only ``A-Za-z0-9-_.~`` left as is)."""
    return quote(str(value), safe="-_.~", encoding="utf-8")


def v1_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in pairs)
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical)}"


def v1_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Acs3Authorization:
    algorithm: str
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_acs3_authorization(header: str) -> Acs3Authorization | None:
    match = _AUTHORIZATION.match(header.strip())
    if match is None:
        return None
    headers = tuple(h.strip().lower() for h in match["headers"].split(";") if h.strip())
    return Acs3Authorization(match["algorithm"], match["key"], headers, match["signature"].lower())


def acs3_canonical_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    signed_headers: Iterable[str],
    payload_hash: str,
) -> str:
    """``METHOD\\nURI\\nquery\\nheaders\\nsigned-header-names\\npayload-hash``; ``headers`` keyed lowercase."""
    canonical_query = "&".join(
        f"{quote(k, safe='~')}={quote(str(v), safe='~')}" for k, v in sorted(query.items())
    )
    names = list(signed_headers)
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in names)
    return "\n".join([method.upper(), path or "/", canonical_query, canonical_headers, ";".join(names), payload_hash])


def acs3_signature(secret: str, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    string_to_sign = f"{ACS3_ALGORITHM}\n{digest}"
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
