"""The pages the list benchmark times, one callable each, on every face.

Each callable makes one request and raises if the answer is not a success, so a page
that is fast because it fails is never reported as fast. "page 50" follows the list's own
next-page link (cursor, ``NextToken``) 49 times before the timing starts, or asks for the
50th page where the wire format numbers pages.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from urllib.parse import urlencode

import requests

from bench.lists_data import BIG_ID, VCENTER_UUID, Fixtures

Page = tuple[str, Callable[[], object]]
DEPTH = 50
WALK_SECONDS = float(os.environ.get("BENCH_WALK_SECONDS", "20"))

for noisy in ("aliyunsdkcore", "ucloud", "ucloud.bench", "huaweicloudsdkcore", "baidubce"):
    logging.getLogger(noisy).setLevel(logging.ERROR)


def _ok(response: requests.Response) -> requests.Response:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:200]}")
    return response


def pages(base: str, fx: Fixtures) -> list[Page]:
    api, console, admin = _sessions(base, fx)
    sample = _sample_ids(fx)
    found: list[Page] = [("trivial: /healthz", lambda: _ok(api.get(f"{base}/healthz")))]
    groups = {"native": lambda: _native(base, api, sample, fx), "faces": lambda: _faces(base, fx),
              "vsphere": lambda: _vsphere(base, api), "console": lambda: _console(base, console, sample),
              "admin": lambda: _admin(base, admin)}
    for name, group in groups.items():
        try:
            found += group()
        except Exception as exc:  # one face failing to set up is reported; the others still run
            found.append((f"{name}: setup", _failed(exc)))
    return found


def _failed(exc: Exception) -> Callable[[], object]:
    def call():
        raise RuntimeError(f"setup failed: {type(exc).__name__}: {str(exc)[:200]}")
    return call


def _sessions(base: str, fx: Fixtures) -> tuple[requests.Session, requests.Session, requests.Session]:
    from rest_framework.authtoken.models import Token

    api = requests.Session()
    api.headers["Authorization"] = f"Token {Token.objects.get_or_create(user=fx.viewer)[0].key}"
    console, admin = requests.Session(), requests.Session()
    console.cookies.set("sessionid", _session_key(fx.viewer))
    admin.cookies.set("sessionid", _session_key(fx.admin))
    return api, console, admin


def _session_key(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _sample_ids(fx: Fixtures) -> dict[str, str]:
    from orchestration.models import Execution, TaskExecution

    middle = Execution.objects.filter(tenant=fx.tenant_a, status="Failed").order_by("-created_at")[5000:5001]
    execution = middle[0].pk if middle else Execution.objects.filter(tenant=fx.tenant_a).exclude(pk=BIG_ID)[0].pk
    task = TaskExecution.objects.filter(execution_id=execution).order_by("id")[0].pk
    return {"execution": execution, "task": task, "loop": fx.loop_id}


# -- native API ---------------------------------------------------------------------------------


def _get(session: requests.Session, url: str) -> Callable[[], object]:
    return lambda: _ok(session.get(url))


def _deep(session: requests.Session, url: str, key: str = "next") -> str | None:
    """The URL of the 50th page, following the list's own next links (None: fewer pages, or
    walking there takes over ``WALK_SECONDS``: a list that slow is reported by its first page)."""
    started = time.perf_counter()
    for _ in range(DEPTH - 1):
        url = _ok(session.get(url)).json().get(key)
        if not url or time.perf_counter() - started > WALK_SECONDS:
            return None
    return url


def _both(name: str, session: requests.Session, url: str) -> list[Page]:
    found = [(f"{name} (first page)", _get(session, url))]
    deep = _deep(session, url)
    if deep:
        found.append((f"{name} (page 50)", _get(session, deep)))
    return found


def _native(base: str, api: requests.Session, ids: dict[str, str], fx: Fixtures) -> list[Page]:
    root = f"{base}/api/v1"
    lists = {
        "executions": "", "executions ?status=Failed": "?status=Failed",
        "executions ?status=Failed&status=Cancelled": "?status=Failed&status=Cancelled",
        "executions ?mode=Debug": "?mode=Debug", "executions ?trigger=Timer": "?trigger=Timer",
        "executions ?template_name=": "?template_name=template-0042",
        "executions ?executed_by=": "?executed_by=user7", "executions ?include_child_executions":
            "?include_child_executions=true", f"executions ?tenant={fx.tenant_a.pk}": f"?tenant={fx.tenant_a.pk}",
        "executions ?created_after=": "?created_after=2000-01-01T00:00:00Z",
        "executions ?tag=": "?tag=env:prod",
        **{f"executions ?ordering={o}": f"?ordering={o}" for o in
           ("created_at", "-start_date", "start_date", "-end_date", "end_date", "status", "-status")},
    }
    found: list[Page] = []
    for name, query in lists.items():
        found += _both(f"native {name}", api, f"{root}/executions/{query}")
    found.append(("native execution detail", _get(api, f"{root}/executions/{ids['execution']}/")))
    found.append(("native big execution detail", _get(api, f"{root}/executions/{BIG_ID}/")))
    nested = {
        "task-executions": "task-executions/", "task-executions with items":
            "task-executions/?include_child_task_executions=true",
        "task-executions of the loop": f"task-executions/?parent_task_execution={ids['loop']}",
        "task-executions ?status=Running": "task-executions/?status=Running&include_child_task_executions=true",
        "logs": "logs/", "logs ?log_type=Action": "logs/?log_type=Action",
        "logs ?after_id=": "logs/?after_id=1",
    }
    for name, tail in nested.items():
        found += _both(f"native big execution {name}", api, f"{root}/executions/{BIG_ID}/{tail}")
    task_lists = {
        "": "", "?status=Failed": "?status=Failed", "?task_name=step2": "?task_name=step2",
        f"?execution={ids['execution']}": f"?execution={ids['execution']}",
        **{f"?ordering={o}": f"?ordering={o}" for o in ("created_at", "-end_date", "status", "-start_date")},
    }
    for name, query in task_lists.items():
        found += _both(f"native task-executions {name}".rstrip(), api, f"{root}/task-executions/{query}")
    found.append(("native task-execution detail", _get(api, f"{root}/task-executions/{ids['task']}/")))
    for name in ("templates", "orch-tasks", "vsphere-tasks"):
        found += _both(f"native {name}", api, f"{root}/{name}/")
    found += _both("native vsphere-tasks ?status=error", api, f"{root}/vsphere-tasks/?status=error")
    return found


# -- the cloud faces --------------------------------------------------------------------------


def _faces(base: str, fx: Fixtures) -> list[Page]:
    return [*_alibaba(base, fx), *_ucloud(base, fx), *_huawei(base, fx), *_baidu(base, fx)]


def _alibaba(base: str, fx: Fixtures) -> list[Page]:
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkoos.request.v20190601 import (
        ListExecutionLogsRequest,
        ListExecutionsRequest,
        ListTaskExecutionsRequest,
        ListTemplatesRequest,
    )

    host, port = base.removeprefix("http://").split(":")
    client = AcsClient(fx.key_id, fx.secret, "cn-bench", port=int(port), auto_retry=False, timeout=300)

    def call(kind, params: dict) -> dict:
        request = kind()
        for key, value in params.items():
            request.add_query_param(key, value)
        request.set_endpoint(host)
        request.set_protocol_type("http")
        return json.loads(client.do_action_with_exception(request))

    actions = {
        "ListExecutions": (ListExecutionsRequest.ListExecutionsRequest, {"MaxResults": 50}),
        "ListExecutions Status=Failed": (ListExecutionsRequest.ListExecutionsRequest,
                                         {"MaxResults": 50, "Status": "Failed"}),
        "ListTaskExecutions": (ListTaskExecutionsRequest.ListTaskExecutionsRequest, {"MaxResults": 50}),
        "ListTaskExecutions of the big execution": (ListTaskExecutionsRequest.ListTaskExecutionsRequest,
                                                    {"MaxResults": 50, "ExecutionId": BIG_ID,
                                                     "IncludeChildTaskExecution": "true"}),
        "ListExecutionLogs of the big execution": (ListExecutionLogsRequest.ListExecutionLogsRequest,
                                                   {"MaxResults": 50, "ExecutionId": BIG_ID}),
        "ListTemplates": (ListTemplatesRequest.ListTemplatesRequest, {"MaxResults": 20}),
    }
    found: list[Page] = []
    for name, (kind, params) in actions.items():
        found.append((f"alibaba {name} (first page)", lambda k=kind, p=params: call(k, p)))
        token, started = "", time.perf_counter()
        for _ in range(DEPTH - 1):
            try:
                token = call(kind, {**params, **({"NextToken": token} if token else {})}).get("NextToken")
            except Exception:  # noqa: BLE001 — the first page's own measurement reports the failure
                token = ""
            if not token or time.perf_counter() - started > WALK_SECONDS:
                token = ""
                break
        if token:
            deep = {**params, "NextToken": token}
            found.append((f"alibaba {name} (page 50)", lambda k=kind, p=deep: call(k, p)))
    return found


def _ucloud(base: str, fx: Fixtures) -> list[Page]:
    from ucloud.client import Client

    client = Client({"public_key": fx.key_id, "private_key": fx.secret, "base_url": f"{base}/",
                     "region": "cn-bench", "max_retries": 0, "timeout": 60},
                    logger=logging.getLogger("ucloud.bench"))  # its default logger prints every response
    return [("ucloud DescribeOrchTask (first page)", lambda: client.invoke("DescribeOrchTask", {"Limit": 20})),
            ("ucloud DescribeOrchTask (offset 200)",
             lambda: client.invoke("DescribeOrchTask", {"Limit": 20, "Offset": 200}))]


def _huawei(base: str, fx: Fixtures) -> list[Page]:
    from huaweicloudsdkaom.v1 import AomClient, ListWorkflowRequest, WorkflowQueryParam
    from huaweicloudsdkcore.auth.credentials import BasicCredentials

    project = str(fx.tenant_a.pk)
    client = AomClient.new_builder().with_credentials(BasicCredentials(fx.key_id, fx.secret, project)) \
        .with_endpoint(base).build()

    def call(page: int):
        query = WorkflowQueryParam(sort_field="create_time", sort_type="DESC", page=page, size=20)
        return client.list_workflow(ListWorkflowRequest(body=query))

    return [("huawei ListWorkflow (first page)", lambda: call(0)), ("huawei ListWorkflow (page 10)", lambda: call(10))]


def _baidu(base: str, fx: Fixtures) -> list[Page]:
    from baidubce.auth.bce_credentials import BceCredentials
    from baidubce.bce_client_configuration import BceClientConfiguration
    from baidubce.services.oos.oos_client import OosClient

    client = OosClient(BceClientConfiguration(credentials=BceCredentials(fx.key_id, fx.secret), endpoint=base))
    return [("baidu template list (first page)", lambda: client.get_template_list(1, 20)),
            ("baidu template list (page 5)", lambda: client.get_template_list(5, 20))]


# -- vSphere task list, console, admin -------------------------------------------------------------


def _vsphere(base: str, api: requests.Session) -> list[Page]:
    root = f"{base}/v1/vsphere/task"

    def call(path: str, **params) -> Callable[[], object]:
        url = f"{root}/{path}?{urlencode({'vsphere_uuid': VCENTER_UUID, **params})}"

        def get():
            body = _ok(api.get(url)).json()
            if body.get("code") not in (0, "0", 200, None) and not body.get("success", True):
                raise RuntimeError(f"{url}: {body}")
            return body
        return get

    return [
        ("vsphere root_recent/list", call("root_recent/list")),
        ("vsphere root/list (first page)", call("root/list")),
        ("vsphere root/list (page 50)", call("root/list", page_num=49)),
        ("vsphere root/list filter_name", call("root/list", filter_name="VM42")),
        ("vsphere resource/list VM (first page)", call("resource/list", reference="VirtualMachine:vm-7")),
        ("vsphere resource/list VM (page 20, its last)",
         call("resource/list", reference="VirtualMachine:vm-7", page_num=19)),
        ("vsphere resource/list host (page 50)", call("resource/list", reference="HostSystem:host-3", page_num=49)),
        ("vsphere resource/list VM folder (page 50)",
         call("resource/list", reference="Folder:group-v4", page_num=49)),
        ("vsphere resource/list datacenter (first page)", call("resource/list", reference="Datacenter:datacenter-2")),
    ]


def _console(base: str, session: requests.Session, ids: dict[str, str]) -> list[Page]:
    root = f"{base}/console"
    pages = {
        "console execution list": "executions/", "console execution list (page 50)": "executions/?page=50",
        "console execution list ?status=Failed": "executions/?status=Failed",
        "console execution list ?q=": "executions/?q=template-0042",
        "console execution detail": f"executions/{ids['execution']}/",
        "console big execution detail": f"executions/{BIG_ID}/",
        "console big execution live fragment": f"executions/{BIG_ID}/live/",
        "console big execution logs fragment": f"executions/{BIG_ID}/logs/",
        "console big execution loop items": f"executions/{BIG_ID}/tasks/{ids['loop']}/items/",
        "console big execution loop items (page 50)": f"executions/{BIG_ID}/tasks/{ids['loop']}/items/?page=50",
        "console approvals": "approvals/", "console dashboard": "",
        "console vsphere tasks": "vsphere/tasks/", "console templates": "templates/", "console orchtasks": "orchtasks/",
    }
    return [(name, _get(session, f"{root}/{tail}")) for name, tail in pages.items()]


def _admin(base: str, session: requests.Session) -> list[Page]:
    root = f"{base}/admin"
    pages = {
        "admin executions": "orchestration/execution/", "admin executions (page 50)": "orchestration/execution/?p=49",
        "admin executions ?status=Failed": "orchestration/execution/?status__exact=Failed",
        "admin executions search": "orchestration/execution/?q=template-0042",
        "admin execution change page (big)": f"orchestration/execution/{BIG_ID}/change/",
        "admin vsphere tasks": "vsphere/vspheretask/", "admin vsphere tasks (page 50)": "vsphere/vspheretask/?p=49",
        "admin vsphere tasks search": "vsphere/vspheretask/?q=vm-42",
        "admin orch tasks": "orchestration/orchtask/", "admin templates": "templates_app/template/",
        "admin audit events": "orchestration/auditevent/",
    }
    return [(name, _get(session, f"{root}/{tail}")) for name, tail in pages.items()]
