"""Tenant isolation matrix (issue 12): tenant B's viewer, operator and admin against tenant A.

Every native API route (from the URL resolver) and every action of every cloud face
(from its registry) has an entry below saying how to aim it at one of A's objects. B
must get 403/404 in that face's own error format, or, for lists, 200 with only its own
rows; and no response may carry a byte of A's data (``SeededA.leaked``). A route or
action with no entry fails ``test_every_*_has_an_entry`` by name, so new endpoints
cannot skip the matrix. A's rows must be unchanged after B tried everything.
"""
from __future__ import annotations

import importlib
import json
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
from tests.isolation.probes import LISTED, UNKNOWN_CHOICE, Probe, fill, sent_text
from tests.isolation.seed import MARK, REGION, SeededA, seed_tenant_a, signers_of_b, snapshot_of_a
from tests.orchestration.engine.conftest import drive, tpl
from tests.vsphere.conftest import _fresh_sessions  # noqa: F401 (fixture)
from tests.vsphere.helpers import find_vm
from tests.vsphere.test_task_api import ENVELOPE as VSPHERE_ENVELOPE
from vsphere.models import VCenter

Probes = Probe | tuple[Probe, ...]  # an entry may try a route more than one way
OK = (200,)
CREATED = (200, 201)
TPL = json.dumps({"FormatVersion": "OOS-2019-06-01",
                  "Tasks": [{"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}]})
STEP = json.dumps({"order": 1, "delay": 0, "resourceIDs": "{vm_moref}"})

# -- native API: (url name, method) → probe ------------------------------------------------------------------------

PK = {"pk": "{template}"}
NATIVE: dict[tuple[str, str], Probes] = {
    ("api-root", "GET"): Probe(status=OK, note="the endpoint index"),
    # tenants
    ("tenant-list", "GET"): Probe(status=LISTED),
    ("tenant-list", "POST"): Probe(body={"name": f"{MARK}-clone"}, status=(403,), note="superusers only"),
    **{("tenant-detail", m): Probe({"pk": "{tenant}"}, body={"name": "renamed"}) for m in ("GET", "PUT", "PATCH",
                                                                                              "DELETE")},
    ("project-list", "GET"): Probe(query={"tenant": "{tenant}"}, status=LISTED),
    ("project-list", "POST"): Probe(body={"tenant": "{tenant}", "name": "intruder"}, status=UNKNOWN_CHOICE),
    **{("project-detail", m): Probe({"pk": "{project}"}, body={"tenant": "{my_tenant}", "name": "moved"})
       for m in ("GET", "PUT", "PATCH", "DELETE")},
    # regions are shared by every tenant: B reads them, only superusers write
    ("region-list", "GET"): Probe(status=LISTED),
    ("region-list", "POST"): Probe(body={"id": "cn-b", "alias": "b"}, status=(403,)),
    ("region-detail", "GET"): Probe({"pk": REGION}, status=OK, note="regions are global"),
    **{("region-detail", m): Probe({"pk": REGION}, body={"id": REGION, "alias": "taken"}, status=(403,))
       for m in ("PUT", "PATCH", "DELETE")},
    ("membership-list", "GET"): Probe(query={"tenant": "{tenant}"}, status=LISTED),
    ("membership-list", "POST"): Probe(body={"tenant": "{tenant}", "user": "{me}", "role": "admin"},
                                       status=UNKNOWN_CHOICE, note="B joins A"),
    **{("membership-detail", m): Probe({"pk": "{membership}"}, body={"tenant": "{my_tenant}", "user": "{me}",
                                                                     "role": "viewer"})
       for m in ("GET", "PUT", "PATCH", "DELETE")},
    ("accesskey-list", "GET"): Probe(status=LISTED),
    ("accesskey-list", "POST"): Probe(body={"tenant": "{tenant}"}, status=UNKNOWN_CHOICE),
    **{("accesskey-detail", m): Probe({"pk": "{access_key}"}, body={"enabled": False})
       for m in ("GET", "PATCH", "DELETE")},
    # executions
    ("execution-list", "GET"): Probe(query={"tenant": "{tenant}"}, status=LISTED),
    ("execution-list", "POST"): (
        Probe(body={"tenant": "{tenant}", "template": "{template}"}, status=UNKNOWN_CHOICE),
        Probe(body={"template": "{template}"}, status=(400, 403), note="A's template in B's tenant"),
    ),
    ("execution-bulk-delete", "POST"): Probe(body={"ids": ["{execution}"]}),
    **{("execution-detail", m): Probe({"pk": "{execution}"}) for m in ("GET", "DELETE")},
    ("execution-cancel", "POST"): Probe({"pk": "{execution}"}),
    ("execution-notify", "POST"): Probe({"pk": "{execution}"}, body={"notify_type": "Approve"}),
    ("execution-rerun", "POST"): Probe({"pk": "{execution}"}, body={}),
    ("execution-logs", "GET"): Probe({"pk": "{execution}"}),
    ("execution-task-executions", "GET"): Probe({"pk": "{execution}"}),
    ("execution-template", "GET"): Probe({"pk": "{execution}"}),
    ("taskexecution-list", "GET"): Probe(query={"execution": "{execution}"}, status=LISTED),
    ("taskexecution-detail", "GET"): Probe({"pk": "{task_execution}"}),
    ("timertrigger-list", "GET"): Probe(status=LISTED),
    ("timertrigger-list", "POST"): (
        Probe(body={"tenant": "{tenant}", "template": "{template}", "name": "intruder", "cron": "0 3 * * *"},
              status=UNKNOWN_CHOICE),
        Probe(body={"template": "{template}", "name": "intruder", "cron": "0 3 * * *"}, status=(400, 403),
              note="A's template in B's tenant"),
    ),
    **{("timertrigger-detail", m): Probe({"pk": "{timer_trigger}"}, body={"enabled": False})
       for m in ("GET", "PATCH", "DELETE")},
    # orchestration tasks
    ("orchtask-list", "GET"): Probe(query={"tenant": "{tenant}"}, status=LISTED),
    ("orchtask-list", "POST"): (
        Probe(body={"tenant": "{tenant}", "region": REGION, "name": "intruder", "task_type": "StartInOrder",
                    "steps": [STEP]}, status=UNKNOWN_CHOICE),
        Probe(body={"region": REGION, "name": "intruder", "task_type": "StartInOrder", "steps": [STEP]},
              status=(400, 403), note="A's VM in B's task"),
        Probe(body={"region": REGION, "name": "intruder", "task_type": "StartInOrder", "project": "{project}"},
              status=(400, 403), note="A's project in B's task"),
    ),
    ("orchtask-types", "GET"): Probe(status=OK, note="the catalog of task types"),
    **{("orchtask-detail", m): Probe({"pk": "{orch_task}"}, body={"name": "renamed"})
       for m in ("GET", "PATCH", "DELETE")},
    ("orchtask-operate", "POST"): Probe({"pk": "{orch_task}"}, body={"operation": "Execute"}),
    ("orchtask-template", "GET"): Probe({"pk": "{orch_task}"}),
    # templates
    ("template-list", "GET"): Probe(query={"tenant": "{tenant}"}, status=LISTED),
    ("template-list", "POST"): Probe(body={"tenant": "{tenant}", "name": "intruder", "content": TPL},
                                     status=UNKNOWN_CHOICE),
    ("template-validate", "POST"): Probe(body={"content": TPL}, status=OK, note="validates what B sends"),
    **{("template-detail", m): Probe(PK, body={"content": TPL}) for m in ("GET", "PATCH", "DELETE")},
    **{(f"template-{n}", "GET"): Probe(PK) for n in ("diff", "policy", "risky-tasks", "versions")},
    ("template-version", "GET"): Probe({"pk": "{template}", "version": "v1"}),
    # the action catalog is the same for everyone
    ("action-list", "GET"): Probe(status=OK),
    ("action-detail", "GET"): Probe({"pk": "ACS::Sleep"}, status=OK),
    # vSphere: vCenters granted to A only
    ("vcenter-list", "GET"): Probe(status=LISTED),
    ("vcenter-list", "POST"): Probe(body={"name": "mine", "host": "h", "user": "u", "password": "p"},
                                    status=(403,), note="platform staff only"),
    **{("vcenter-detail", m): Probe({"pk": "{vcenter}"}, body={"name": "renamed"})
       for m in ("GET", "PUT", "PATCH", "DELETE")},
    ("vcenter-sync", "POST"): Probe({"pk": "{vcenter}"}),
    ("vcenter-test-connection", "POST"): Probe({"pk": "{vcenter}"}),
    ("inventoryobject-list", "GET"): Probe(query={"vsphere_uuid": "{vsphere_uuid}"}, status=LISTED),
    ("inventoryobject-detail", "GET"): Probe({"pk": "{vm}"}),
    ("vspheretask-list", "GET"): Probe(query={"vsphere_uuid": "{vsphere_uuid}"}, status=LISTED),
    ("vspheretask-detail", "GET"): Probe({"pk": "{vsphere_task}"}),
}

# -- the cloud faces: action → probe ------------------------------------------------------------------------------

EXECUTION = {"ExecutionId": "{execution}"}
TEMPLATE = {"TemplateName": "{template}"}
ALIBABA: dict[str, Probes] = {
    "CancelExecution": Probe(body=EXECUTION),
    "CreateTemplate": Probe(body={"TemplateName": "own-{me}", "Content": TPL}, status=(200, 403),
                            note="B's own tenant: nothing of A to name"),
    "DeleteExecutions": Probe(body={"ExecutionIds": json.dumps(["{execution}"])}),
    "DeleteTemplate": Probe(body=TEMPLATE),
    "GenerateExecutionPolicy": Probe(body=TEMPLATE),
    "GetExecutionTemplate": Probe(body=EXECUTION),
    "GetTemplate": (Probe(body=TEMPLATE), Probe(body={"TemplateName": "{template_name}"})),
    "ListActions": Probe(status=OK),
    "ListExecutionLogs": Probe(body=EXECUTION),
    "ListExecutionRiskyTasks": Probe(body=TEMPLATE),
    "ListExecutions": Probe(body=EXECUTION, status=LISTED),
    "ListTagResources": Probe(body={"ResourceType": "execution", "ResourceIds": json.dumps(["{execution}"])},
                              status=LISTED, note="a filter: unknown ids match nothing, as in Alibaba's API"),
    "ListTaskExecutions": Probe(body=EXECUTION, status=LISTED),
    "ListTemplates": Probe(body={"TemplateName": MARK}, status=LISTED),
    "NotifyExecution": Probe(body={**EXECUTION, "NotifyType": "Approve"}),
    "StartExecution": (Probe(body=TEMPLATE), Probe(body={"TemplateName": "{template_name}"})),
    "TagResources": Probe(body={"ResourceType": "template", "ResourceIds": json.dumps(["{template}"]),
                                "Tags": json.dumps({"k": "v"})}),
    "UntagResources": Probe(body={"ResourceType": "template", "ResourceIds": json.dumps(["{template}"]),
                                  "TagKeys": json.dumps([f"{MARK}-tag"])}),
    "UpdateTemplate": Probe(body={**TEMPLATE, "Content": TPL}),
    "ValidateTemplateContent": Probe(body={"Content": TPL}, status=OK),
}
# UCloud answers HTTP 200 with RetCode ≠ 0; "status" here is the RetCode family: 0 or not.
UCLOUD: dict[str, Probes] = {
    "DescribeOrchTaskType": Probe(body={"CompanyID": "{tenant}"}, note="A's CompanyID with B's key"),
    "CreateOrchTask": (
        Probe(body={"CompanyID": "{tenant}", "Name": "intruder", "TaskType": "StartInOrder", "ResourceType": "VM",
                    "Steps": [STEP]}),
        Probe(body={"CompanyID": "{my_tenant}", "Name": "intruder", "TaskType": "StartInOrder", "ResourceType": "VM",
                    "Steps": [STEP]}, note="A's VM in B's task"),
        Probe(body={"CompanyID": "{my_tenant}", "Name": "intruder", "TaskType": "StartInOrder", "ResourceType": "VM",
                    "Condition": json.dumps({"NamePattern": "DC0_*"}), "ProjectID": "{project}"},
              note="A's project"),
    ),
    "DeleteOrchTask": Probe(body={"TaskID": "{orch_task}"}),
    "DescribeOrchTask": (Probe(body={"TaskIDs": ["{orch_task}"]}), Probe(body={"ProjectID": "{project}"})),
    "UpdateOrchTask": Probe(body={"CompanyID": "{my_tenant}", "TaskID": "{orch_task}", "Name": "renamed"}),
    "OperateOrchTask": Probe(body={"TaskID": "{orch_task}", "Operation": "Execute"}),
}
STOP = {"name": "stop", "operator": "BCE::BCC::StopInstance", "properties": {"instances": [{"instanceId": "i-1"}]}}
BAIDU: dict[tuple[str, str], Probes] = {
    ("v2/template", "POST"): Probe(body={"name": "own-{me}", "operators": [STOP]}, status=(200, 403),
                                   note="B's own tenant"),
    ("v2/template", "PUT"): Probe(body={"id": "{template}", "operators": [STOP]}),
    ("v2/template", "DELETE"): Probe(query={"id": "{template}"}),
    ("v2/template", "GET"): Probe(query={"name": "{template_name}"}),
    ("v2/template/check", "POST"): Probe(body={"name": "check", "operators": [STOP]}, status=OK),
    ("v2/template/list", "POST"): Probe(body={"name": MARK}, status=LISTED),
    ("v1/operator/list", "POST"): Probe(body={}, status=OK),
    ("v2/execution", "POST"): (Probe(body={"template": {"ref": "{template}"}}),
                               Probe(body={"template": {"name": "{template_name}"}})),
    ("v2/execution", "GET"): Probe(query={"id": "{execution}"}),
}
HUAWEI: dict[str, Probes] = {
    "huawei-list-workflow": (Probe({"project_id": "{tenant}"}, note="A's CompanyID with B's key"),
                             Probe({"project_id": "{project}"}, note="A's project with B's key")),
}
VSPHERE_TASKS: dict[str, Probes] = {
    "vsphere-task-root-recent": Probe(query={"vsphere_uuid": "{vsphere_uuid}"}),
    "vsphere-task-root": Probe(query={"vsphere_uuid": "{vsphere_uuid}"}),
    "vsphere-task-resource": Probe(query={"vsphere_uuid": "{vsphere_uuid}", "reference": "{vm_reference}"}),
}

# The console: HTML pages of the selected tenant. A's objects are error pages (404, or 403 where a
# role check comes first); forms posted with A's tenant re-render with an error (400) or land on
# B's own pages; lists and the switcher show B's data only.
EXEC = {"execution_id": "{execution}"}
TEMPLATE_ID = {"template_id": "{template}"}
ORCH = {"task_id": "{orch_task}"}
FORM_REFUSED = (200, 302, 400, 403, 404)  # judged by the fingerprint and unchanged-rows checks
CONSOLE: dict[str, Probes] = {
    "dashboard": Probe(status=OK),
    "login": Probe(status=(302,), note="a signed-in user is sent on"),
    "logout": Probe(status=(405,), note="GET is refused; POST signs B out"),
    "switch": Probe(method="POST", body={"tenant": "{tenant}", "project": "{project}", "next": "/console/templates/"},
                    status=OK, note="followed to the page it lands on"),
    "template-list": Probe(query={"tenant": "{tenant}", "q": MARK}, status=OK),
    "template-create": (Probe(query={"from": "{template}"}), Probe(
        method="POST", body={"tenant": "{tenant}", "name": "intruder", "content": TPL}, status=FORM_REFUSED)),
    "template-validate": Probe(method="POST", body={"content": TPL}, status=OK),
    "template-detail": Probe(TEMPLATE_ID),
    "template-edit": (Probe(TEMPLATE_ID), Probe(TEMPLATE_ID, method="POST", body={"content": TPL})),
    "template-diff": Probe(TEMPLATE_ID),
    "template-delete": Probe(TEMPLATE_ID, method="POST"),
    "template-run": (Probe(TEMPLATE_ID), Probe(TEMPLATE_ID, method="POST", body={"mode": "Automatic"})),
    "execution-list": Probe(query={"q": MARK}, status=OK),
    "execution-detail": Probe(EXEC),
    "execution-live": Probe(EXEC),
    "execution-logs": Probe(EXEC),
    "execution-act": Probe(EXEC, method="POST", body={"action": "cancel"}),
    "execution-loop-items": Probe({**EXEC, "task_execution_id": "{task_execution}"}),
    "approvals": Probe(status=OK),
    "vsphere": Probe(status=OK),
    "vsphere-vcenter-act": Probe({"vcenter_id": "{vcenter}"}, method="POST", body={"action": "sync"}),
    "vsphere-inventory": Probe(query={"vcenter": "{vcenter}", "q": "DC0"}, status=OK),
    "vsphere-tasks": Probe(query={"vcenter": "{vcenter}"}, status=OK),
    "orchtasks": Probe(query={"q": MARK}, status=OK),
    "orchtask-create": (Probe(status=(200, 403)), Probe(method="POST", status=FORM_REFUSED, body={
        "tenant": "{tenant}", "region": REGION, "name": "intruder", "task_type": "StartInOrder"})),
    "orchtask-detail": Probe(ORCH),
    "orchtask-live": Probe(ORCH),
    "orchtask-edit": (Probe(ORCH), Probe(ORCH, method="POST", body={"name": "renamed"})),
    "orchtask-operate": Probe(ORCH, method="POST", body={"operation": "Execute"}),
    "orchtask-delete": Probe(ORCH, method="POST"),
}

# URLs that are not tenant APIs, and why; anything else must be in a table above.
NOT_TENANT_APIS = {
    "admin/": "Django admin: platform staff only (tests/orchestration/test_admin.py)",
    "healthz": "liveness, no data",
    "readyz": "readiness, no data",
    "api/schema/": "the OpenAPI document, no data",
    "api/docs/": "Swagger UI, no data",
    "api-auth/": "DRF's login pages",
    "i18n/": "language switch",
}
COVERED = {
    "api/v1/": "NATIVE",
    "v1/vsphere/": "VSPHERE_TASKS",
    "api/logic/oos/": "BAIDU",
    "console/": "CONSOLE",
}
COVERED_BY_NAME = {"faces-root": "ALIBABA and UCLOUD", "huawei-list-workflow": "HUAWEI"}


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
    b: dict[str, Signer]  # role → B's member with an access key


@pytest.fixture
def world(transactional_db, vcsim) -> World:
    """Tenant A seeded with one of everything, and tenant B's three roles (committed: the faces run live)."""
    return World(seed_tenant_a(vcsim), signers_of_b())


def run_matrix(world: World, table: dict, send: Callable[[Signer, Any, Probe], list[str]]) -> None:
    """Every entry of ``table`` as each of B's roles; then A's rows must be exactly as before."""
    before = snapshot_of_a(world.a.tenant)
    problems = []
    for role, signer in world.b.items():
        for key, probes in table.items():
            for probe in probes if isinstance(probes, tuple) else (probes,):
                problems += [f"{key} as B's {role}: {problem}" for problem in send(signer, key, probe)]
    after = snapshot_of_a(world.a.tenant)
    problems += [f"B changed A's {name}" for name in before if before[name] != after[name]]
    assert not problems, f"{len(problems)} isolation failures:\n" + "\n".join(problems)


def judge(a: SeededA, probe: Probe, status: int, body: bytes, sent: str, envelope: Callable[[dict], str],
          parse: bool = True) -> list[str]:
    """The status the probe expects, the face's error envelope on a refusal, and none of A's data."""
    problems = []
    if status not in probe.status:
        problems.append(f"status {status}, expected one of {probe.status}: {body[:300]!r}")
    elif status >= 400 and parse:
        try:
            problems += [f"not the face's error format ({why}): {body[:300]!r}" for why in [envelope(json.loads(body))]
                         if why]
        except ValueError:
            problems.append(f"not JSON: {body[:300]!r}")
    if leaked := a.leaked(body, sent):
        problems.append(f"A's data in the answer: {', '.join(leaked)}")
    return problems


def placeholders(signer: Signer) -> dict[str, str]:
    return {"me": signer.user.get_username(), "my_tenant": str(signer.tenant.pk)}


# -- native API and the vSphere task lists (in process) -------------------------------------------------------------

def native_envelope(body: dict) -> str:
    if set(body) != {"code", "message", "detail"} or not body["message"]:
        return "expected {code, message, detail}"
    return ""


def vsphere_envelope(body: dict) -> str:
    if set(body) != VSPHERE_ENVELOPE or body["scode"] == 0 or body["data"] is not None:
        return "expected {scode≠0, desc, message, message_cn, stack, data: null}"
    return ""


def send_in_process(world: World, envelope: Callable[[dict], str]):
    def send(signer: Signer, key, probe: Probe) -> list[str]:
        name, method = key if isinstance(key, tuple) else (key, "GET")
        url = reverse(name, kwargs=fill(probe.kwargs, world.a, **placeholders(signer)))
        query = fill(probe.query, world.a, **placeholders(signer))
        body = fill(probe.body, world.a, **placeholders(signer))
        client = APIClient()
        client.force_authenticate(signer.user)
        if method == "GET":
            response = client.get(url, query)
        else:
            url += f"?{urlencode(query)}" if query else ""
            response = getattr(client, method.lower())(url, body, format="json")
        return judge(world.a, probe, response.status_code, response.content, sent_text(url, query, body), envelope)

    return send


def test_native_api(world):
    run_matrix(world, NATIVE, send_in_process(world, native_envelope))


def test_vsphere_task_lists(world):
    run_matrix(world, VSPHERE_TASKS, send_in_process(world, vsphere_envelope))


def test_console(world):
    def send(signer: Signer, name: str, probe: Probe) -> list[str]:
        url = reverse(f"console:{name}", kwargs=fill(probe.kwargs, world.a, **placeholders(signer)))
        query = fill(probe.query, world.a, **placeholders(signer))
        body = fill(probe.body or {}, world.a, **placeholders(signer))
        client = Client()
        client.force_login(signer.user)
        post = probe.method == "POST"
        response = client.post(url, body, follow=name == "switch") if post else client.get(url, query)
        return judge(world.a, probe, response.status_code, response.content, sent_text(url, query, body),
                     lambda _: "", parse=False)

    run_matrix(world, CONSOLE, send)


# -- the signed faces, through their SDKs against the live server ---------------------------------------------------

def alibaba_envelope(body: dict) -> str:
    fields = {"RequestId", "HostId", "Code", "Message"}
    return "" if fields <= set(body) else "expected {RequestId, HostId, Code, Message}"


def test_alibaba(world, server):  # noqa: F811 (the fixture)
    def send(signer: Signer, action: str, probe: Probe) -> list[str]:
        module = importlib.import_module(f"aliyunsdkoos.request.v20190601.{action}Request")
        request = getattr(module, f"{action}Request")()
        params = fill(probe.body or {}, world.a, **placeholders(signer))
        for name, value in params.items():
            request.add_query_param(name, value)
        status, body = Acs(server, signer).raw(request)
        return judge(world.a, probe, status, body, sent_text(params), alibaba_envelope)

    run_matrix(world, ALIBABA, send)


def test_ucloud(world, server):  # noqa: F811 (the fixture)
    def send(signer: Signer, action: str, probe: Probe) -> list[str]:
        args = fill(probe.body, world.a, **placeholders(signer))
        try:
            answer = ucloud(server, signer).invoke(action, args)
        except RetCodeException as exc:
            status, body = 403, json.dumps(exc.json()).encode()
            envelope = "" if exc.code != 0 and exc.message else "RetCode"
        else:
            status, body, envelope = 200, json.dumps(answer).encode(), ""
        return judge(world.a, probe, status, body, sent_text(args), lambda _: envelope and "expected RetCode ≠ 0")

    run_matrix(world, UCLOUD, send)


def baidu_envelope(body: dict) -> str:
    ok = body.get("success") is False and body.get("code") and body.get("message") and body.get("requestId")
    return "" if ok else "expected {success: false, code, message, requestId}"


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
    def send(signer: Signer, key: tuple[str, str], probe: Probe) -> list[str]:
        path, method = key
        query = fill(probe.query, world.a, **placeholders(signer))
        body = fill(probe.body, world.a, **placeholders(signer))
        response = baidu_request(server, signer, method, path, query, body)
        return judge(world.a, probe, response.status_code, response.content, sent_text(query, body), baidu_envelope)

    run_matrix(world, BAIDU, send)


def test_huawei(world, server):  # noqa: F811 (the fixture)
    def send(signer: Signer, name: str, probe: Probe) -> list[str]:
        project_id = fill(probe.kwargs["project_id"], world.a)
        try:
            answer = aom(server, signer, project_id).list_workflow(query())
        except ClientRequestException as exc:
            body = json.dumps({"error_code": exc.error_code, "error_msg": exc.error_msg}).encode()
            problems = judge(world.a, probe, exc.status_code, body, project_id,
                             lambda b: "" if b["error_code"] and b["error_msg"] else "expected {error_code, error_msg}")
        else:
            problems = judge(world.a, probe, 200, json.dumps(answer.to_dict(), default=str).encode(), project_id,
                             lambda _: "")
        own = aom(server, signer, str(signer.tenant.pk)).list_workflow(query())  # B's own list: none of A's
        return problems + [f"A's data in B's own list: {leak}"
                           for leak in world.a.leaked(json.dumps(own.to_dict(), default=str))]

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
