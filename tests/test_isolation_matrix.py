"""Tenant isolation matrix (issue 12): tenant B's viewer, operator and admin against tenant A.

Every native API route and console page (from the URL resolver) and every action of
every cloud face (from its registry) has an entry in ``tests.isolation.tables`` saying
how to aim it at one of A's objects. B must get 403/404 in that face's own error format,
or, for lists, 200 with only its own rows; no response may carry a byte of A's data
(``SeededA.leaked``) or read differently from the same request naming objects that do
not exist (``tells_apart``). A route or action with no entry fails
``test_every_*_has_an_entry`` by name, so new endpoints cannot skip the matrix. A's rows
must be unchanged after B tried everything.
"""
from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials
from django.test import Client
from django.urls import reverse
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from rest_framework.test import APIClient
from ucloud.core.exc import RetCodeException

from orchestration.models import Role
from tests.faces.conftest import Acs, Signer, _no_persistent_connections, server  # noqa: F401 (fixtures)
from tests.faces.test_huawei import aom, query
from tests.faces.test_ucloud import ucloud
from tests.isolation import routes
from tests.isolation.probes import Answer, Probe, fill, sent_text
from tests.isolation.seed import REGION, SeededA, ghost_of, seed_tenant_a, signers_of_b, snapshot_of_a
from tests.isolation.tables import (
    ALIBABA,
    BAIDU,
    CONSOLE,
    COVERED,
    COVERED_BY_NAME,
    HUAWEI,
    NATIVE,
    NOT_TENANT_APIS,
    UCLOUD,
    VSPHERE_TASKS,
)
from tests.orchestration.engine.conftest import drive, tpl
from tests.vsphere.conftest import _fresh_sessions  # noqa: F401 (fixture)
from tests.vsphere.helpers import find_vm
from tests.vsphere.test_task_api import ENVELOPE as VSPHERE_ENVELOPE
from vsphere.models import VCenter


def unlisted(found, table, what: str) -> list[str]:
    """Names in the code without an entry, and entries for names the code no longer has."""
    return ([f"new route without an entry: {what} {name}" for name in sorted(set(found) - set(table))]
            + [f"entry for a route that no longer exists: {what} {name}" for name in sorted(set(table) - set(found))])


def test_every_url_belongs_to_a_table_or_is_not_a_tenant_api():
    problems = []
    for route in routes.all_routes():
        if route.name in COVERED_BY_NAME or route.pattern.startswith(tuple(COVERED) + tuple(NOT_TENANT_APIS)):
            continue
        problems.append(f"new route without an entry: {route.pattern} ({route.name})")
    assert not problems, "\n".join(problems)


def test_every_native_route_has_an_entry():
    problems = unlisted(routes.native_methods(), NATIVE, "native")
    assert not problems, "\n".join(problems)


def test_every_face_action_has_an_entry():
    vsphere_names = {r.name for r in routes.all_routes() if r.pattern.startswith("v1/vsphere/")}
    huawei_names = {r.name for r in routes.all_routes() if r.name.startswith("huawei-")}
    console_names = {r.name for r in routes.all_routes() if r.pattern.startswith("console/")}
    problems = (unlisted(routes.alibaba_actions(), ALIBABA, "Alibaba")
                + unlisted(routes.ucloud_actions(), UCLOUD, "UCloud")
                + unlisted(routes.baidu_methods(), BAIDU, "Baidu")
                + unlisted(huawei_names, HUAWEI, "Huawei")
                + unlisted(vsphere_names, VSPHERE_TASKS, "vSphere tasks")
                + unlisted(console_names, CONSOLE, "console"))
    assert not problems, "\n".join(problems)


# -- running the matrix -------------------------------------------------------------------------------------------

@dataclass
class World:
    a: SeededA
    ghost: SeededA  # A's ids turned into same-shaped ids of nothing
    b: dict[str, Signer]  # role → B's member with an access key


@pytest.fixture
def world(transactional_db, vcsim) -> World:
    """Tenant A seeded with one of everything, and tenant B's three roles (committed: the faces run live)."""
    a = seed_tenant_a(vcsim)
    return World(a, ghost_of(a), signers_of_b())


Send = Callable[[Signer, Any, Probe, SeededA], Answer]
WORD = re.compile(r"[\w:-]+(?:\.[\w:-]+)*|[^\w:-]")  # ids keep their inner dots and colons
REQUEST_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def run_matrix(world: World, table: dict, send: Send) -> None:
    """Every entry of ``table`` as each of B's roles; then A's rows must be exactly as before.

    A probe naming A's objects must also read the same as one naming objects that do
    not exist (``tells_apart``), or B learns what A has.
    """
    before = snapshot_of_a(world.a.tenant)
    problems = []
    for role, signer in world.b.items():
        for key, probes in table.items():
            for probe in probes if isinstance(probes, tuple) else (probes,):
                got = send(signer, key, probe, world.a)
                found = judge(world.a, probe, got)
                if probe.names_a and not found:
                    found += tells_apart(world, got, send(signer, key, probe, world.ghost))
                problems += [f"{key} as B's {role}: {problem}" for problem in found]
    after = snapshot_of_a(world.a.tenant)
    problems += [f"B changed A's {name}" for name in before if before[name] != after[name]]
    assert not problems, f"{len(problems)} isolation failures:\n" + "\n".join(problems)


def tells_apart(world: World, got: Answer, ghost: Answer) -> list[str]:
    """A refusal of A's object must read as the refusal of a missing one: status, code and words.

    Bodies must be the same word for word, except where one names A's id and the other
    the ghost's id of that kind, and request ids. HTML pages (no error code) are compared
    by status only: their CSRF tokens differ.
    """
    if (ghost.status, ghost.code) != (got.status, got.code):
        return [f"A's object answers {got.status} {got.code}, a missing one {ghost.status} {ghost.code}"]
    pairs = {(world.a.ids[label], world.ghost.ids[label]) for label in world.a.ids}
    mine, other = (WORD.findall(REQUEST_ID.sub("<request id>", x.body.decode("utf-8", "replace")))
                   for x in (got, ghost))
    same = len(mine) == len(other) and all(p == q or (p, q) in pairs for p, q in zip(mine, other, strict=True))
    if got.code and not same:
        return [f"A's object answers {got.body[:300]!r}, a missing one {ghost.body[:300]!r}"]
    return []


def judge(a: SeededA, probe: Probe, got: Answer) -> list[str]:
    """The status the probe expects, the face's error format on a refusal, and none of A's data."""
    problems = []
    if got.status not in probe.status:
        problems.append(f"status {got.status}, expected one of {probe.status}: {got.body[:300]!r}")
    elif got.status >= 400 and got.code is None:
        problems.append(f"not the face's error format: {got.body[:300]!r}")
    if leaked := a.leaked(got.body, got.sent):
        problems.append(f"A's data in the answer: {', '.join(leaked)}")
    return problems


def answer(status: int, body: bytes, sent: str, error_code: Callable[[dict], object] | None) -> Answer:
    """An answer whose error code is read by ``error_code`` (None where the body is not the face's format)."""
    if status < 400 or error_code is None:
        return Answer(status, body, sent)
    try:
        code = error_code(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError):
        code = None
    return Answer(status, body, sent, None if code in (None, "", 0) else str(code))


def filled(probe: Probe, a: SeededA, signer: Signer) -> tuple[dict, dict, Any]:
    """The probe's path kwargs, query and body with A's (or the ghost's) ids and the caller's own."""
    names = {"me": signer.user.get_username(), "my_tenant": str(signer.tenant.pk)}
    return fill(probe.kwargs, a, **names), fill(probe.query, a, **names), fill(probe.body, a, **names)


# -- native API, vSphere task lists and console (in process) -----------------------------------------------------

def native_code(body: dict):
    return body["code"] if set(body) == {"code", "message", "detail"} and body["message"] else None


def vsphere_code(body: dict):
    return body["scode"] if set(body) == VSPHERE_ENVELOPE and body["data"] is None and body["message"] else None


def send_in_process(error_code: Callable[[dict], object]) -> Send:
    def send(signer: Signer, key, probe: Probe, a: SeededA) -> Answer:
        name, method = key if isinstance(key, tuple) else (key, "GET")
        kwargs, query, body = filled(probe, a, signer)
        url = reverse(name, kwargs=kwargs)
        client = APIClient()
        client.force_authenticate(signer.user)
        if method == "GET":
            response = client.get(url, query)
        else:
            url += f"?{urlencode(query)}" if query else ""
            response = getattr(client, method.lower())(url, body, format="json")
        return answer(response.status_code, response.content, sent_text(url, query, body), error_code)

    return send


def test_native_api(world):
    run_matrix(world, NATIVE, send_in_process(native_code))


def test_vsphere_task_lists(world):
    run_matrix(world, VSPHERE_TASKS, send_in_process(vsphere_code))


def test_console(world):
    def send(signer: Signer, name: str, probe: Probe, a: SeededA) -> Answer:
        kwargs, query, body = filled(probe, a, signer)
        url = reverse(f"console:{name}", kwargs=kwargs)
        client = Client()
        client.force_login(signer.user)
        post = probe.method == "POST"
        response = client.post(url, body or {}, follow=name == "switch") if post else client.get(url, query)
        return answer(response.status_code, response.content, sent_text(url, query, body), None)  # HTML pages

    run_matrix(world, CONSOLE, send)


# -- the signed faces, through their SDKs against the live server ---------------------------------------------------

def alibaba_code(body: dict):
    return body["Code"] if {"RequestId", "HostId", "Code", "Message"} <= set(body) else None


def test_alibaba(world, server):  # noqa: F811 (the fixture)
    def send(signer: Signer, action: str, probe: Probe, a: SeededA) -> Answer:
        module = importlib.import_module(f"aliyunsdkoos.request.v20190601.{action}Request")
        request = getattr(module, f"{action}Request")()
        params = filled(probe, a, signer)[2] or {}
        for name, value in params.items():
            request.add_query_param(name, value)
        status, body = Acs(server, signer).raw(request)
        return answer(status, body, sent_text(params), alibaba_code)

    run_matrix(world, ALIBABA, send)


def test_ucloud(world, server):  # noqa: F811 (the fixture)
    """UCloud answers HTTP 200 with ``RetCode`` ≠ 0; a refusal is recorded as 403 with the RetCode as its code."""

    def send(signer: Signer, action: str, probe: Probe, a: SeededA) -> Answer:
        args = filled(probe, a, signer)[2]
        try:
            result = ucloud(server, signer).invoke(action, args)
        except RetCodeException as exc:
            return answer(403, json.dumps(exc.json()).encode(), sent_text(args),
                          lambda b: b["RetCode"] if b["Message"] else None)
        return answer(200, json.dumps(result).encode(), sent_text(args), None)

    run_matrix(world, UCLOUD, send)


def baidu_code(body: dict):
    return body["code"] if body["success"] is False and body["message"] and body["requestId"] else None


def baidu_request(address, signer: Signer, method: str, path: str, query: dict, body) -> requests.Response:
    """A request signed by bce-python-sdk's own bce-auth-v1 signer (the SDK's client hides the raw answer)."""
    host, port = address
    path = "/api/logic/oos/" + path
    authorization = bce_v1_signer.sign(
        BceCredentials(signer.key_id, signer.secret), method.encode(), path.encode(),
        {b"host": f"{host}:{port}".encode()}, {k.encode(): str(v).encode() for k, v in query.items()},
        headers_to_sign={b"host"})
    return requests.request(method, f"http://{host}:{port}{path}", params=query, timeout=30,
                            data=json.dumps(body) if body is not None else None,
                            headers={"Authorization": authorization.decode(), "Content-Type": "application/json"})


def test_baidu(world, server):  # noqa: F811 (the fixture)
    def send(signer: Signer, key: tuple[str, str], probe: Probe, a: SeededA) -> Answer:
        path, method = key
        _, query, body = filled(probe, a, signer)
        response = baidu_request(server, signer, method, path, query, body)
        return answer(response.status_code, response.content, sent_text(query, body), baidu_code)

    run_matrix(world, BAIDU, send)


def test_huawei(world, server):  # noqa: F811 (the fixture)
    """The SDK raises on an error with its fields; B's own workflow list must not show A's either."""

    def send(signer: Signer, name: str, probe: Probe, a: SeededA) -> Answer:
        project_id = filled(probe, a, signer)[0]["project_id"]
        own = aom(server, signer, str(signer.tenant.pk)).list_workflow(query()).to_json_object()
        assert not world.a.leaked(json.dumps(own, default=str)), own
        try:
            result = aom(server, signer, project_id).list_workflow(query())
        except ClientRequestException as exc:
            body = json.dumps({"error_code": exc.error_code, "error_msg": exc.error_msg}).encode()
            return answer(exc.status_code, body, project_id, lambda b: b["error_msg"] and b["error_code"])
        return answer(200, json.dumps(result.to_json_object(), default=str).encode(), project_id, None)

    run_matrix(world, HUAWEI, send)


# -- B's own work in A's region ------------------------------------------------------------------------------------

def test_b_runs_and_orch_tasks_in_a_region_reach_none_of_a_vms(world, server):  # noqa: F811 (the fixture)
    """vCenters are granted per tenant: in the region of A's vCenter, B's own runs select none of A's VMs.

    B's execution describes VMs by pattern and stops A's VM by id; B's orchestration
    task picks VMs by a name pattern and is executed. None of it may show or touch A's VMs.
    """
    b = world.b[Role.OPERATOR]
    client = APIClient()
    client.force_authenticate(b.user)
    target = {"RegionId": REGION}
    content = json.dumps(tpl(
        {"Name": "describe", "Action": "ACS::VSphere::DescribeVMs", "Properties": {**target, "NamePattern": "DC0_*"}},
        {"Name": "stop", "Action": "ACS::VSphere::StopVM", "Properties": {**target, "VMIds": [world.a["vm_moref"]]}},
    ))
    template = client.post("/api/v1/templates/", {"name": "probe", "content": content}, format="json").json()["id"]
    started = client.post("/api/v1/executions/", {"template": template, "safety_check": "Skip"}, format="json")
    assert started.status_code == 201, started.content
    execution = drive(started.json()["id"], timeout=30)
    assert execution.status == "Failed"  # the stop found no VM of B's to stop
    reads = [client.get(f"/api/v1/executions/{execution.pk}/{path}") for path in ("", "task-executions/", "logs/")]

    uc = ucloud(server, b)
    task_id = uc.invoke("CreateOrchTask", {"CompanyID": b.tenant.pk, "Name": "by pattern", "TaskType": "StopInOrder",
                                           "ResourceType": "VM", "Condition": json.dumps({"NamePattern": "DC0_*"})},
                        )["TaskID"]
    with pytest.raises(RetCodeException) as refused:
        uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Execute"})
    assert "selects no resource" in refused.value.message
    described = uc.invoke("DescribeOrchTask", {"TaskIDs": [task_id]})
    workflows = aom(server, b, str(b.tenant.pk)).list_workflow(query()).to_json_object()

    answers = [r.content.decode() for r in reads] + [json.dumps(x, default=str) for x in
                                                     (refused.value.json(), described, workflows)]
    assert all(r.status_code == 200 for r in reads)
    assert not [leak for answer in answers for leak in world.a.leaked(answer, sent=content)]
    vcenter = VCenter.objects.get(pk=world.a["vcenter"])
    assert find_vm(vcenter, "DC0_H0_VM1").runtime.powerState == "poweredOn"
