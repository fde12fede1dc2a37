"""``/``: one URL shared by the RPC-style faces, told apart by their authentication markers.

* ``PublicKey`` (query, form or JSON body) → the UCloud-style OrchTask face.
* ``Authorization: ACS3-…``, ``x-acs-action``, or ``Action``/``AccessKeyId``/
  ``SignatureMethod`` → the Alibaba OOS face.
* a body that cannot be read (too large, or JSON that does not parse), so no marker in
  it can be seen → Alibaba when its markers are in the query or headers (both Alibaba
  SDKs put them there), UCloud otherwise (its SDK and JSON callers send everything in
  the body); either face answers in its own format (413, or invalid JSON).
* nothing of the kind on a bare ``GET /`` → the native API's root.

Reading the body here must never fail: the face that gets the request reports an
unreadable, oversized or too deeply nested body in its own envelope.
"""
from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from orchestration import request_limits
from orchestration.errors import ServiceError
from orchestration.faces.alibaba.views import rpc as alibaba_rpc
from orchestration.faces.ucloud.views import endpoint as ucloud_endpoint

ALIBABA_MARKERS = ("Action", "AccessKeyId", "SignatureMethod", "Signature")


def body_params(request: HttpRequest) -> Mapping | None:
    """The form fields or JSON object of the body; ``None`` when it cannot be read.

    That is a body over the size limit, or JSON that does not parse (invalid or nested
    too deep): only the UCloud face takes JSON here, so it must see such a body to say why.
    """
    try:
        if request.content_type == "application/json":
            data = request_limits.read_body(request)
            body = request_limits.loads(data) if data else {}
            return body if isinstance(body, dict) else {}
        return request_limits.read_form(request)
    except (request_limits.BodyTooLarge, ValueError):
        return None
    except (ServiceError, OSError, MultiPartParserError):
        return {}


def is_ucloud(request: HttpRequest, body: Mapping) -> bool:
    return "PublicKey" in request.GET or "PublicKey" in body


def is_alibaba(request: HttpRequest, body: Mapping) -> bool:
    if request.headers.get("Authorization", "").startswith("ACS3-") or "x-acs-action" in request.headers:
        return True
    return any(marker in request.GET or marker in body for marker in ALIBABA_MARKERS)


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    body = body_params(request)
    if is_ucloud(request, body or {}):
        return ucloud_endpoint(request)
    if is_alibaba(request, body or {}):
        return alibaba_rpc(request)
    if body is None:
        return ucloud_endpoint(request)
    if request.method != "GET" or request.GET:
        return alibaba_rpc(request)
    return HttpResponseRedirect("/api/v1/")
