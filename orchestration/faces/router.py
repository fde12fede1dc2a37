"""``/``: one URL shared by the RPC-style faces, told apart by their authentication markers.

* ``PublicKey`` (query, form or JSON body) → the UCloud-style OrchTask face.
* ``Authorization: ACS3-…``, ``x-acs-action``, or ``Action``/``AccessKeyId``/
  ``SignatureMethod`` → the Alibaba OOS face.
* nothing of the kind on a bare ``GET /`` → the native API's root.
"""
from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt

from orchestration.faces.alibaba.views import rpc as alibaba_rpc
from orchestration.faces.ucloud.views import endpoint as ucloud_endpoint

ALIBABA_MARKERS = ("Action", "AccessKeyId", "SignatureMethod", "Signature")


def _json_body(request: HttpRequest) -> dict:
    if request.content_type != "application/json" or not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def is_ucloud(request: HttpRequest) -> bool:
    return "PublicKey" in request.GET or "PublicKey" in request.POST or "PublicKey" in _json_body(request)


def is_alibaba(request: HttpRequest) -> bool:
    if request.headers.get("Authorization", "").startswith("ACS3-") or "x-acs-action" in request.headers:
        return True
    return any(marker in request.GET or marker in request.POST for marker in ALIBABA_MARKERS)


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    if is_ucloud(request):
        return ucloud_endpoint(request)
    if is_alibaba(request) or request.method != "GET" or request.GET:
        return alibaba_rpc(request)
    return HttpResponseRedirect("/api/v1/")
