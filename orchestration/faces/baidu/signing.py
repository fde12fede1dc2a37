"""bce-auth-v1, the signature of Baidu Cloud's SDKs, as pure functions.

``Authorization: bce-auth-v1/{ak}/{timestamp}/{expiration}/{signed headers}/{signature}``
where ``signature = hex(HMAC-SHA256(signing key, canonical request))``, ``signing key =
hex(HMAC-SHA256(secret, "bce-auth-v1/{ak}/{timestamp}/{expiration}"))`` and the
canonical request is ``METHOD\\nURI\\nquery\\nheaders``. With no signed headers listed,
``host``, ``content-length``, ``content-type``, ``content-md5`` and every ``x-bce-*``
header are signed.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

PREFIX = "bce-auth-v1"
DEFAULT_SIGNED = ("host", "content-length", "content-type", "content-md5")
_AUTHORIZATION = re.compile(
    r"^bce-auth-v1/(?P<key>[^/]+)/(?P<timestamp>[^/]+)/(?P<expiration>\d+)/(?P<headers>[^/]*)/(?P<signature>[0-9a-f]+)$"
)


@dataclass(frozen=True)
class BceAuthorization:
    access_key_id: str
    timestamp: str
    expiration: int
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def auth_prefix(self) -> str:
        return f"{PREFIX}/{self.access_key_id}/{self.timestamp}/{self.expiration}"


def parse_authorization(header: str) -> BceAuthorization | None:
    match = _AUTHORIZATION.match(header.strip())
    if match is None:
        return None
    headers = tuple(h.strip().lower() for h in match["headers"].split(";") if h.strip())
    return BceAuthorization(match["key"], match["timestamp"], int(match["expiration"]), headers, match["signature"])


def normalize(value: str, *, keep_slash: bool = False) -> str:
    return quote(str(value), safe="-_.~/" if keep_slash else "-_.~", encoding="utf-8")


def canonical_request(
    method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], signed: tuple[str, ...]
) -> str:
    """``headers`` keyed by lowercase name; ``signed`` empty means the default set plus ``x-bce-*``."""
    pairs = sorted(f"{normalize(k)}={normalize(v)}" for k, v in query.items() if k.lower() != "authorization")
    lines = []
    for name, value in headers.items():
        value = value.strip()
        wanted = name in signed if signed else (name in DEFAULT_SIGNED or name.startswith("x-bce-"))
        if wanted and value:
            lines.append(f"{normalize(name)}:{normalize(value)}")
    lines.sort()
    return "\n".join([method.upper(), normalize(path, keep_slash=True), "&".join(pairs), "\n".join(lines)])


def signature(secret: str, auth: BceAuthorization, canonical: str) -> str:
    signing_key = hmac.new(secret.encode(), auth.auth_prefix.encode(), hashlib.sha256).hexdigest()
    return hmac.new(signing_key.encode(), canonical.encode(), hashlib.sha256).hexdigest()
