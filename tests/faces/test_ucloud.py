"""The UCloud-style OrchTask actions through the official ``ucloud-sdk-python3`` client.

``ucloud.client.Client(...).invoke(action, args)`` signs with the SDK's own SHA1 scheme
and posts a form to the live server; executions are advanced in-process (``drive``).
"""
from __future__ import annotations

import hashlib
import json
import logging

import pytest
import requests
from ucloud.client import Client
from ucloud.core.exc import RetCodeException

from orchestration.models import OrchTask, Project
from tests.faces.conftest import Signer
from tests.faces.orchtask_fixtures import REGION, drop_snapshots, moref, step, synced  # noqa: F401 (fixture)
from tests.orchestration.engine.conftest import drive
from tests.vsphere.conftest import _fresh_sessions  # noqa: F401 (fixtures)

logging.getLogger("ucloud").setLevel(logging.WARNING)


def ucloud(server, signer: Signer, **config) -> Client:
    host, port = server
    return Client({"public_key": signer.key_id, "private_key": signer.secret, "base_url": f"http://{host}:{port}/",
                   "region": REGION, "max_retries": 0, "timeout": 60, **config})


@pytest.fixture
def uc(server, operator) -> Client:
    return ucloud(server, operator)


def fails(client: Client, action: str, args: dict, code: int, text: str = "") -> str:
    with pytest.raises(RetCodeException) as err:
        client.invoke(action, args)
    assert err.value.code == code, (err.value.code, err.value.message)
    assert text in err.value.message, err.value.message
    return err.value.message


def described(client: Client, task_id: str) -> dict:
    answer = client.invoke("DescribeOrchTask", {"TaskIDs": [task_id]})
    assert answer["Action"] == "DescribeOrchTaskResponse" and answer["TotalCount"] == 1
    return answer["Infos"][0]


def test_task_types(uc, operator):
    answer = uc.invoke("DescribeOrchTaskType", {"CompanyID": operator.tenant.pk})
    assert answer["RetCode"] == 0 and answer["Action"] == "DescribeOrchTaskTypeResponse"
    types = {info["TaskType"]: info for info in answer["Infos"]}
    assert answer["TotalCount"] == len(types) >= 6
    assert {"StartInOrder", "StopInOrder", "RebootInOrder", "ShutdownInOrder", "SnapshotInOrder",
            "RevertInOrder"} <= set(types)
    assert types["StartInOrder"]["ResourceTypes"] == ["VM"] and types["StartInOrder"]["TaskName"]


def test_create_execute_pause_resume_retry_and_describe(uc, operator, synced):  # noqa: F811
    a, b, c = (moref(synced, n) for n in ("DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0"))
    project = Project.objects.create(tenant=operator.tenant, name="ops")
    # Start from a known state: c has a snapshot, a and b none.
    drop_snapshots(synced, a, b)
    pre = uc.invoke("CreateOrchTask", {"CompanyID": operator.tenant.pk, "Name": "prep", "TaskType": "SnapshotInOrder",
                                       "ResourceType": "VM", "Steps": [step(1, c)]})["TaskID"]
    uc.invoke("OperateOrchTask", {"TaskID": pre, "Operation": "Execute"})
    assert drive(OrchTask.objects.get(pk=pre).latest_execution, timeout=60).status == "Success"

    created = uc.invoke("CreateOrchTask", {
        "CompanyID": operator.tenant.pk, "Name": "revert web tier", "Remark": "two steps", "ProjectID": project.pk,
        "TaskType": "RevertInOrder", "ResourceType": "VM", "Steps": [step(1, c), step(2, a, b, delay=1)],
    })
    assert created["Action"] == "CreateOrchTaskResponse" and created["TaskID"].startswith("orch-")
    task_id = created["TaskID"]
    info = described(uc, task_id)
    assert info["Status"] == "Ready" and info["Name"] == "revert web tier" and info["Remark"] == "two steps"
    assert info["CompanyID"] == operator.tenant.pk and info["CompanyName"] == "Acme"
    assert (info["Region"], info["RegionAlias"]) == (REGION, "Simulator")
    assert (info["ProjectID"], info["ProjectName"]) == (project.pk, "ops")
    assert isinstance(info["CreateTime"], int) and info["CreateTime"] > 1_600_000_000
    assert [(s["Order"], s["Delay"], [r["ResourceID"] for r in s["Resources"]]) for s in info["Steps"]] == [
        (1, 0, [c]), (2, 1, [a, b])]
    assert info["Steps"][0]["Resources"][0]["Name"] == "DC0_H0_VM0"
    assert info["Execution"] == {"Result": "", "Message": "", "StartsAt": 0, "EndsAt": 0}

    # Execute, pause after step 1 has started, resume: step 2 only runs after the resume.
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Execute"})
    from orchestration.engine.runner import advance

    execution = OrchTask.objects.get(pk=task_id).latest_execution
    advance(execution.pk)
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Pause"})
    assert described(uc, task_id)["Status"] in ("Pausing", "Paused")
    assert drive(execution, timeout=60).status == "Waiting"
    info = described(uc, task_id)
    assert info["Status"] == "Paused" and info["Execution"]["Result"] == "Paused"
    results = {r["ResourceID"]: r["Execution"]["Result"] for s in info["Steps"] for r in s["Resources"]}
    assert results == {c: "Success", a: "Waiting", b: "Waiting"}
    fails(uc, "UpdateOrchTask", {"CompanyID": operator.tenant.pk, "TaskID": task_id, "Steps": [step(1, a)]}, 8502,
          "abort it")
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Resume"})
    execution = drive(execution, timeout=60)

    # a and b have no snapshot: step 2 fails for them, with the VM's message.
    assert execution.status == "Failed"
    info = described(uc, task_id)
    assert info["Status"] == "Failed" and info["Execution"]["Result"] == "Failed"
    assert info["Reason"] and info["Execution"]["StartsAt"] and info["Execution"]["EndsAt"]
    step2 = {r["ResourceID"]: r["Execution"] for r in info["Steps"][1]["Resources"]}
    assert step2[a]["Result"] == "Failed" and "no snapshot" in step2[a]["Message"]
    assert info["Steps"][0]["Resources"][0]["Execution"]["Result"] == "Success"
    assert uc.invoke("DescribeOrchTask", {"Status": "Failed"})["TotalCount"] == 1

    # Give a a snapshot, leave b without: Retry re-runs only the failed resources.
    uc.invoke("UpdateOrchTask", {"CompanyID": operator.tenant.pk, "TaskID": pre, "Steps": [step(1, a)]})
    # The same form as the first Execute would be refused as a replay: a deliberate repeat adds a parameter.
    uc.invoke("OperateOrchTask", {"TaskID": pre, "Operation": "Execute", "Nonce": "second run"})
    assert drive(OrchTask.objects.get(pk=pre).latest_execution, timeout=60).status == "Success"
    first_c = info["Steps"][0]["Resources"][0]["Execution"]["StartsAt"]
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Retry"})
    drive(OrchTask.objects.get(pk=task_id).latest_execution, timeout=60)
    info = described(uc, task_id)
    results = {r["ResourceID"]: r["Execution"]["Result"] for s in info["Steps"] for r in s["Resources"]}
    assert results == {c: "Success", a: "Success", b: "Failed"}
    assert info["Steps"][0]["Resources"][0]["Execution"]["StartsAt"] == first_c

    # Abort a fresh run during its delay: Interrupted; Update resets; Delete removes.
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Update"})
    assert described(uc, task_id)["Status"] == "Ready"
    uc.invoke("UpdateOrchTask", {"CompanyID": operator.tenant.pk, "TaskID": task_id,
                                 "Steps": [step(1, c), step(2, a, delay=60)]})
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Execute", "Nonce": "second run"})
    advance(OrchTask.objects.get(pk=task_id).latest_execution_id)
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Abort"})
    drive(OrchTask.objects.get(pk=task_id).latest_execution, timeout=60)
    info = described(uc, task_id)
    assert info["Status"] == "Interrupted" and info["Steps"][1]["Resources"][0]["Execution"]["Result"] == "Interrupted"
    assert uc.invoke("DeleteOrchTask", {"TaskID": task_id}) == {"RetCode": 0, "Action": "DeleteOrchTaskResponse"}
    fails(uc, "DescribeOrchTask", {"TaskIDs": [task_id]}, 8501, task_id)


def test_describe_filters_and_paging(uc, operator, synced):  # noqa: F811
    a = moref(synced, "DC0_H0_VM0")
    ids = [uc.invoke("CreateOrchTask", {"CompanyID": operator.tenant.pk, "Name": f"job-{i}", "TaskType": "StartInOrder",
                                        "ResourceType": "VM", "Steps": [step(1, a)]})["TaskID"] for i in range(3)]
    page = uc.invoke("DescribeOrchTask", {"Limit": 2, "Offset": 0})
    assert page["TotalCount"] == 3 and len(page["Infos"]) == 2
    assert len(uc.invoke("DescribeOrchTask", {"Limit": 2, "Offset": 2})["Infos"]) == 1
    assert [i["TaskID"] for i in uc.invoke("DescribeOrchTask", {"Keyword": "job-1"})["Infos"]] == [ids[1]]
    assert uc.invoke("DescribeOrchTask", {"Status": "Ready"})["TotalCount"] == 3
    assert uc.invoke("DescribeOrchTask", {"Status": "Running"})["TotalCount"] == 0
    assert uc.invoke("DescribeOrchTask", {"TaskIDs": ids[:2]})["TotalCount"] == 2
    assert ucloud(uc_server(uc), operator, region="cn-other").invoke("DescribeOrchTask", {})["TotalCount"] == 0


def uc_server(client: Client):
    host, _, port = client.config.base_url.removeprefix("http://").rstrip("/").partition(":")
    return host, int(port)


def test_bad_input_answers_retcodes(uc, server, operator, outsider, viewer, synced):  # noqa: F811
    a, b = moref(synced, "DC0_H0_VM0"), moref(synced, "DC0_H0_VM1")
    company = operator.tenant.pk
    base = {"CompanyID": company, "Name": "n", "TaskType": "StartInOrder", "ResourceType": "VM"}
    fails(uc, "CreateOrchTask", {**base, "Name": None}, 230, "Missing params [Name]")
    fails(uc, "CreateOrchTask", {k: v for k, v in base.items() if k != "CompanyID"} | {"Steps": [step(1, a)]}, 230,
          "Missing params [CompanyID]")
    fails(uc, "CreateOrchTask", base, 230, "Missing params [Steps]")
    fails(uc, "CreateOrchTask", {**base, "CompanyID": "acme", "Steps": [step(1, a)]}, 230,
          "Params [CompanyID] not available: must be an integer")
    fails(uc, "CreateOrchTask", {**base, "CompanyID": company + 999, "Steps": [step(1, a)]}, 174,
          f"CompanyID {company + 999} is not the tenant")
    fails(uc, "CreateOrchTask", {**base, "Name": "x" * 129, "Steps": [step(1, a)]}, 230, "Params [Name]")
    fails(uc, "CreateOrchTask", {**base, "TaskType": "FlyInOrder", "Steps": [step(1, a)]}, 230, "Params [TaskType]")
    fails(uc, "CreateOrchTask", {**base, "ResourceType": "Disk", "Steps": [step(1, a)]}, 230, "Params [ResourceType]")
    fails(uc, "CreateOrchTask", {**base, "Steps": [step(1, a, delay=4000)]}, 230,
          "Params [Steps.0 (order 1)] not available: delay must be an integer from 0 to 3600")
    fails(uc, "CreateOrchTask", {**base, "Steps": [step(1, a), step(1, b)]}, 230, "orders must be unique")
    fails(uc, "CreateOrchTask", {**base, "Steps": [step(1, a), step(2, a)]}, 230, "one step only")
    fails(uc, "CreateOrchTask", {**base, "Steps": [step(1, "vm-9999")]}, 230, "vm-9999 does not exist")
    fails(uc, "CreateOrchTask", {**base, "Steps": ["{oops"]}, 230, "Params [Steps.0] not available: is not JSON")
    fails(ucloud(server, operator, region="nowhere"), "CreateOrchTask", {**base, "Steps": [step(1, a)]}, 8501,
          "nowhere")
    fails(uc, "CreateOrchTask", {**base, "ProjectID": "org-nope", "Steps": [step(1, a)]}, 8501, "org-nope")
    fails(uc, "DescribeOrchTask", {"Limit": 0}, 230, "Params [Limit] not available: must be an integer from 1 to 100")
    fails(uc, "DescribeOrchTask", {"Limit": 101}, 230, "Params [Limit]")
    fails(uc, "DescribeOrchTask", {"Offset": -1}, 230, "Params [Offset]")
    fails(uc, "DescribeOrchTask", {"Limit": "ten"}, 230, "must be an integer")
    fails(uc, "DescribeOrchTask", {"Status": "Sleeping"}, 230, "Params [Status]")
    fails(uc, "DescribeOrchTask", {"TaskIDs": ["orch-000000000000"]}, 8501, "orch-000000000000")
    fails(uc, "OperateOrchTask", {"TaskID": "orch-000000000000", "Operation": "Execute"}, 8501, "TaskID")
    fails(uc, "OperateOrchTask", {"Operation": "Execute"}, 230, "Missing params [TaskID]")
    task_id = uc.invoke("CreateOrchTask", {**base, "Steps": [step(1, a)]})["TaskID"]
    fails(uc, "OperateOrchTask", {"TaskID": task_id}, 230, "Missing params [Operation]")
    fails(uc, "OperateOrchTask", {"TaskID": task_id, "Operation": "Explode"}, 230, "Params [Operation]")
    fails(uc, "OperateOrchTask", {"TaskID": task_id, "Operation": "Resume"}, 8502, "Ready")
    fails(uc, "OperateOrchTask", {"TaskID": task_id, "Operation": "Retry"}, 8502, "only a Failed task")
    fails(uc, "Launch", {}, 160, "Action [Launch] not found")
    # Another tenant's key, a viewer, a wrong secret, an unknown key.
    fails(ucloud(server, outsider), "DescribeOrchTask", {"TaskIDs": [task_id]}, 8501, task_id)
    fails(ucloud(server, outsider), "DeleteOrchTask", {"TaskID": task_id}, 8501, task_id)
    assert ucloud(server, viewer).invoke("DescribeOrchTask", {})["TotalCount"] == 1
    fails(ucloud(server, viewer), "OperateOrchTask", {"TaskID": task_id, "Operation": "Execute"}, 174, "victor")
    wrong = Signer(operator.tenant, operator.user, operator.key_id, "not-the-secret")
    fails(ucloud(server, wrong), "DescribeOrchTask", {}, 171, "Signature VerifyAC Error")
    fails(ucloud(server, Signer(operator.tenant, operator.user, "AKNOPE", "x")), "DescribeOrchTask", {}, 173,
          "AKNOPE")


def test_json_body_and_raw_errors(server, operator, synced):  # noqa: F811
    host, port = server
    a = moref(synced, "DC0_H0_VM0")
    args = {"Action": "CreateOrchTask", "PublicKey": operator.key_id, "Region": REGION,
            "CompanyID": operator.tenant.pk, "Name": "json", "TaskType": "StopInOrder", "ResourceType": "VM",
            "Steps": [step(1, a)]}
    flat = {k: str(v) for k, v in args.items() if k != "Steps"} | {"Steps.0": args["Steps"][0]}
    text = "".join(k + v for k, v in sorted(flat.items())) + operator.secret
    args["Signature"] = hashlib.sha1(text.encode()).hexdigest()
    answer = requests.post(f"http://{host}:{port}/", data=json.dumps(args),
                           headers={"Content-Type": "application/json"}, timeout=30).json()
    assert answer["RetCode"] == 0 and answer["TaskID"].startswith("orch-"), answer
    for body, code in [({"PublicKey": operator.key_id}, 161), ({"Action": "DescribeOrchTask", "PublicKey": "k"}, 170),
                       ({"Action": "DescribeOrchTask", "PublicKey": "", "Signature": "s"}, 172)]:
        answer = requests.post(f"http://{host}:{port}/", data=body, timeout=10)
        assert answer.status_code == 200 and answer.json()["RetCode"] == code, answer.text
