"""Huawei AOM ListWorkflow  through the official ``huaweicloudsdkaom`` client.

The client signs with SDK-HMAC-SHA256 (``huaweicloudsdkcore``) and posts the query to
``/v1/{project_id}/cms/workflow-list`` of the live server; orchestration tasks come
back as workflows with their generated template's nodes and their latest execution.
"""
from __future__ import annotations

import json

import pytest
import requests
from huaweicloudsdkaom.v1 import AomClient, ListWorkflowRequest, WorkflowQueryParam
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from orchestration.models import OrchTask, Project
from orchestration.services import orchtasks as svc
from tests.faces.conftest import Signer
from tests.faces.orchtask_fixtures import REGION, moref, step, synced  # noqa: F401 (fixture)
from tests.orchestration.engine.conftest import drive
from tests.vsphere.conftest import _fresh_sessions  # noqa: F401 (fixtures)


def aom(server, signer: Signer, project_id: str) -> AomClient:
    host, port = server
    credentials = BasicCredentials(signer.key_id, signer.secret, project_id)
    return AomClient.new_builder().with_credentials(credentials).with_endpoint(f"http://{host}:{port}").build()


def query(**fields) -> ListWorkflowRequest:
    fields.setdefault("sort_field", "create_time")
    fields.setdefault("sort_type", "DESC")
    return ListWorkflowRequest(body=WorkflowQueryParam(**fields))


def fails(client: AomClient, request, status: int, code: str, text: str = "") -> None:
    with pytest.raises(ClientRequestException) as err:
        client.list_workflow(request)
    assert (err.value.status_code, err.value.error_code) == (status, code), (err.value.status_code, err.value)
    assert text in err.value.error_msg, err.value.error_msg


def test_orch_tasks_listed_as_workflows(server, operator, synced):  # noqa: F811
    a, b = moref(synced, "DC0_H0_VM0"), moref(synced, "DC0_H0_VM1")
    project = Project.objects.create(tenant=operator.tenant, name="web")
    run = svc.create_orch_task(tenant=operator.tenant, user=operator.user, region=REGION, name="snap web",
                               remark="nightly", task_type="SnapshotInOrder", resource_type="VM",
                               steps=[step(1, a), step(2, b, delay=1)], project_id=project.pk)
    idle = svc.create_orch_task(tenant=operator.tenant, user=operator.user, region=REGION, name="start all",
                                task_type="StartInOrder", resource_type="VM", steps=[],
                                condition=json.dumps({"NamePattern": "DC0_H0_*"}))
    run = svc.operate_orch_task(run, operator.user, "Execute")
    assert drive(run.latest_execution, timeout=60).status == "Success"

    client = aom(server, operator, str(operator.tenant.pk))
    answer = client.list_workflow(query())
    assert answer.total_elements == 2
    assert [w.id for w in answer.elements] == [idle.pk, run.pk]
    flow = answer.elements[1]
    assert (flow.name, flow.description, flow.type, flow.status, flow.task_type) == (
        "snap web", "nightly", "manual", "success", "SnapshotInOrder")
    assert flow.template_id == flow.template_name == f"OrchTask-{run.pk}"
    assert flow.create_by == "oscar" and flow.create_time > 1_600_000_000_000
    assert flow.last_execution_id == OrchTask.objects.get(pk=run.pk).latest_execution_id
    assert flow.last_execution_start_time <= flow.last_execution_end_time and flow.last_execute_by == "oscar"
    assert [(n.name, n.task_name) for n in flow.nodes] == [
        ("Step1", "ACS::VSphere::CreateVMSnapshot"), ("Step2Delay", "ACS::Sleep"),
        ("Step2", "ACS::VSphere::CreateVMSnapshot")]
    params = {p["key"]: p["value"] for p in flow.nodes[2].metadata.configuration["parameters"]}
    assert json.loads(params["properties.VMIds"]) == [b]
    assert flow.input["region_id"] == REGION and json.loads(flow.input["get_instances"]["vm_id_list"]) == [a, b]
    assert flow.enterprise_project_id == project.pk and flow.tags["task_type"] == "SnapshotInOrder"
    assert flow.template_i18n.en_us["name"]
    assert answer.elements[0].status == "waitExecute"
    assert json.loads(answer.elements[0].input["get_instances"]["vm_id_list"]) == [a, b]  # by Condition

    # Filters, sorting and paging.
    assert [w.id for w in client.list_workflow(query(sort_type="ASC")).elements] == [run.pk, idle.pk]
    assert [w.id for w in client.list_workflow(query(status="success")).elements] == [run.pk]
    assert [w.id for w in client.list_workflow(query(status="waitExecute")).elements] == [idle.pk]
    assert client.list_workflow(query(status="executing")).total_elements == 0
    assert [w.id for w in client.list_workflow(query(search="start")).elements] == [idle.pk]
    assert client.list_workflow(query(type="cron")).total_elements == 0
    assert client.list_workflow(query(create_by="nobody")).total_elements == 0
    assert [w.id for w in client.list_workflow(query(tags={"task_type": "StartInOrder"})).elements] == [idle.pk]
    one = client.list_workflow(query(size=1, page=1))
    assert one.total_elements == 2 and [w.id for w in one.elements] == [run.pk]
    assert client.list_workflow(query(search_time_start=0, search_time_end=1000)).total_elements == 0
    by_project = aom(server, operator, project.pk).list_workflow(query(sort_field="last_execution_start_time"))
    assert [w.id for w in by_project.elements] == [run.pk]


def test_bad_input_answers_the_aom_envelope(server, operator, outsider, synced):  # noqa: F811
    client = aom(server, operator, str(operator.tenant.pk))
    fails(client, ListWorkflowRequest(body=WorkflowQueryParam(sort_type="DESC")), 400, "AOM.31001302", "sort_field")
    fails(client, ListWorkflowRequest(body=WorkflowQueryParam(sort_field="create_time")), 400, "AOM.31001302",
          "sort_type")
    fails(client, query(sort_field="name"), 400, "AOM.31001302", "sort_field: must be one of")
    fails(client, query(sort_type="UP"), 400, "AOM.31001302", "sort_type")
    fails(client, query(size=101), 400, "AOM.31001302", "size: must be an integer from 1 to 100")
    fails(client, query(size=0), 400, "AOM.31001302", "size")
    fails(client, query(page=-1), 400, "AOM.31001302", "page")
    fails(client, query(type="daily"), 400, "AOM.31001302", "type")
    fails(client, query(status="sleeping"), 400, "AOM.31001302", "status")
    fails(client, query(search_time_start=2000, search_time_end=1000), 400, "AOM.31001302", "search_time_start")
    fails(aom(server, operator, "org-nope"), query(), 403, "AOM.31009004", "org-nope")
    fails(aom(server, outsider, str(operator.tenant.pk)), query(), 403, "AOM.31009004")
    wrong = Signer(operator.tenant, operator.user, operator.key_id, "not-the-secret")
    fails(aom(server, wrong, str(operator.tenant.pk)), query(), 401, "AOM.31009003", "signature")
    fails(aom(server, Signer(operator.tenant, operator.user, "AKNOPE", "x"), "1"), query(), 401, "AOM.31009003",
          "AKNOPE")
    host, port = server
    url = f"http://{host}:{port}/v1/{operator.tenant.pk}/cms/workflow-list"
    for headers, body, status, code in [
        ({}, "{}", 401, "AOM.31009003"),
        ({"Authorization": "Bearer x"}, "{}", 401, "AOM.31009003"),
    ]:
        answer = requests.post(url, data=body, headers=headers, timeout=10)
        assert answer.status_code == status and answer.json() == {**answer.json(), "error_code": code,
                                                                  "http_code": status}
