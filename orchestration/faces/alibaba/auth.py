"""Who signed an Alibaba RPC request: signature v1 (query) or ACS3-HMAC-SHA256 (header)."""
from __future__ import annotations

import hashlib

from django.http import HttpRequest

from orchestration.faces import credentials
from orchestration.faces.credentials import Caller
from orchestration.wire_parameters import parse_iso_z

from . import signing
from .errors import AlibabaError, missing, signature_mismatch
from .params import RpcParams

V1_REQUIRED = ("AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp")


def uses_acs3(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").startswith("ACS3-")


def authenticate(request: HttpRequest, params: RpcParams) -> Caller:
    """The caller, once the signature, clock, key rate and nonce check out; else an :class:`AlibabaError`."""
    if uses_acs3(request):
        caller, nonce, moment = _acs3(request)
    else:
        caller, nonce, moment = _v1(request, params)
    credentials.check_clock(moment)
    credentials.accept(caller)  # first: a throttled request keeps its nonce unspent
    credentials.remember_nonce(caller.key.pk, nonce)
    return caller


def _timestamp(value: str, name: str):
    moment = parse_iso_z(value)
    if moment is None:
        raise AlibabaError(
            "InvalidTimeStamp.Format", f'Specified {name} "{value}" is not in the format YYYY-MM-DDThh:mm:ssZ.'
        )
    return moment


def _v1(request: HttpRequest, params: RpcParams):
    for name in V1_REQUIRED:
        if name not in params:
            raise missing(name)
    method = params.raw("SignatureMethod")
    if method != signing.V1_METHOD:
        raise AlibabaError(
            "InvalidParameter.SignatureMethod", f"Specified SignatureMethod {method!r} is not supported; use HMAC-SHA1."
        )
    version = params.raw("SignatureVersion")
    if version not in (None, "1.0"):
        raise AlibabaError("InvalidParameter.SignatureVersion", f"Specified SignatureVersion {version!r} is not 1.0.")
    moment = _timestamp(params.raw("Timestamp"), "Timestamp")
    caller, secret = credentials.find_caller(params.raw("AccessKeyId"))
    string_to_sign = signing.v1_string_to_sign(request.method, params.values)
    if not signing.same(signing.v1_signature(secret, string_to_sign), params.raw("Signature")):
        raise signature_mismatch(string_to_sign)
    return caller, params.raw("SignatureNonce"), moment


def _acs3(request: HttpRequest):
    auth = signing.parse_acs3_authorization(request.headers["Authorization"])
    if auth is None:
        raise AlibabaError(
            "InvalidAuthorization",
            "The Authorization header must read: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,"
            "SignedHeaders=<header;…>,Signature=<hex>.",
        )
    if auth.algorithm != signing.ACS3_ALGORITHM:
        raise AlibabaError("InvalidAuthorization", f"Signature algorithm {auth.algorithm} is not supported.")
    for header in ("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
        if not request.headers.get(header):
            raise missing(header)
    unsigned = [
        name for name in (key.lower() for key in request.headers)
        if name.startswith("x-acs-") and name not in auth.signed_headers
    ]
    if unsigned or "host" not in auth.signed_headers:
        raise AlibabaError(
            "InvalidAuthorization", f"These headers must be signed: {', '.join(['host', *unsigned])}."
        )
    moment = _timestamp(request.headers["x-acs-date"], "x-acs-date")
    caller, secret = credentials.find_caller(auth.access_key_id)
    payload_hash = hashlib.sha256(request.body).hexdigest()
    if not signing.same(payload_hash, request.headers["x-acs-content-sha256"].lower()):
        raise AlibabaError("InvalidParameter.ContentSHA256", "x-acs-content-sha256 does not match the request body.")
    headers = {name: request.headers.get(name, "") for name in auth.signed_headers}
    query = {key: request.GET[key] for key in request.GET}
    canonical = signing.acs3_canonical_request(
        request.method, request.path, query, headers, auth.signed_headers, payload_hash
    )
    if not signing.same(signing.acs3_signature(secret, canonical), auth.signature):
        raise AlibabaError(
            "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. "
            f"server canonical request is:{canonical!r}"
        )
    return caller, request.headers["x-acs-signature-nonce"], moment
