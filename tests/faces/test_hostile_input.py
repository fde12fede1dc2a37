"""Hostile input on every cloud face, through the official SDKs where the face has one.

Oversized bodies, JSON nested far deeper than ``MAX_JSON_DEPTH``, forged numbers and
bad paging parameters must each get a clear error in the face's own envelope (never a
500, never Django's HTML page), and an unexpected error carries a request id that the
server log also has.
"""
from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET

import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkoos.request.v20190601 import (
    CreateTemplateRequest,
    ListTemplatesRequest,
    StartExecutionRequest,
    TagResourcesRequest,
)
from baidubce.exception import BceHttpClientError
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException

from orchestration.faces.alibaba import views as alibaba_views
from orchestration.faces.huawei import views as huawei_views
from orchestration.faces.ucloud import actions as ucloud_actions
from orchestration.models import OrchTask, Project, Region
from orchestration.services import orchtasks as svc

from .test_baidu import STOP, oos, server_error
from .test_huawei import aom, query
from .test_ucloud import fails, ucloud

TOO_BIG = 3 * 1024 * 1024  # over the default 2.5 MB body limit
SIMPLE = {"FormatVersion": "OOS-2019-06-01", "Tasks": [{"Name": "w", "Action": "ACS::Sleep",
                                                        "Properties": {"Duration": "PT0S"}}]}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def logged(caplog, request_id: str) -> bool:
    return any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


# -- Alibaba OOS ------------------------------------------------------------------------------------------------


def alibaba_fails(acs, request, status: int, code: str, text: str = "") -> str:
    with pytest.raises(ServerException) as err:
        acs(request)
    assert (err.value.get_http_status(), err.value.get_error_code()) == (status, code), err.value
    assert text in err.value.get_error_msg(), err.value.get_error_msg()
    return err.value.get_error_msg()


def test_alibaba_oversized_body_is_413_in_json_and_xml(acs):
    request = CreateTemplateRequest.CreateTemplateRequest()
    request.set_TemplateName("big")
    request.add_body_params("Content", "x" * TOO_BIG)
    alibaba_fails(acs, request, 413, "RequestEntityTooLarge", "larger than the limit")
    status, body = acs.raw(request, "XML")
    error = ET.fromstring(body)
    assert status == 413 and error.tag == "Error" and error.findtext("Code") == "RequestEntityTooLarge"
    assert error.findtext("RequestId")


def test_alibaba_deep_parameters_and_tags_are_invalid_parameters(acs):
    create = CreateTemplateRequest.CreateTemplateRequest()
    create.set_TemplateName("simple")
    create.set_Content(json.dumps(SIMPLE))
    acs(create)
    start = StartExecutionRequest.StartExecutionRequest()
    start.set_TemplateName("simple")
    start.add_body_params("Parameters", deep(10_000))
    alibaba_fails(acs, start, 400, "InvalidParameter", "Parameters")
    tag = TagResourcesRequest.TagResourcesRequest()
    tag.set_ResourceType("template")
    tag.set_ResourceIds(json.dumps(["simple"]))
    tag.add_body_params("Tags", '{"k": ' + deep(10_000) + "}")
    message = alibaba_fails(acs, tag, 400, "InvalidParameter", "Tags")
    assert "nested deeper than the limit of 64 levels" in message


def test_alibaba_unexpected_error_has_a_logged_request_id(acs, monkeypatch, caplog):
    def boom(call):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(alibaba_views, "handler_for", lambda name: boom)
    request = ListTemplatesRequest.ListTemplatesRequest()
    with caplog.at_level(logging.ERROR):
        status, body = acs.raw(request)
    answer = json.loads(body)
    assert status == 500 and answer["Code"] == "InternalError" and logged(caplog, answer["RequestId"])


# -- UCloud-style --------------------------------------------------------------------------------------------------


@pytest.fixture
def region(transactional_db) -> Region:
    return Region.objects.create(id="cn-x", alias="X")


def test_ucloud_deep_form_values_are_retcode_230(server, operator, region):
    uc = ucloud(server, operator, region=region.pk)
    base = {"CompanyID": operator.tenant.pk, "Name": "deep", "TaskType": "StartInOrder", "ResourceType": "VM"}
    fails(uc, "CreateOrchTask", {**base, "Condition": deep(10_000)}, 230, "Condition")
    fails(uc, "CreateOrchTask", {**base, "Steps": [deep(10_000)]}, 230, "Steps.0")


def test_ucloud_deep_or_oversized_body_is_a_json_retcode(server, operator, region):
    host, port = server
    deep_json = '{"PublicKey": "' + operator.key_id + '", "Action": "DescribeOrchTask", "X": ' + deep(10_000) + "}"
    answer = requests.post(f"http://{host}:{port}/", data=deep_json, timeout=30,
                           headers={"Content-Type": "application/json"})
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["RetCode"] == 230 and "nested deeper" in answer.json()["Message"]
    uc = ucloud(server, operator, region=region.pk)
    fails(uc, "DescribeOrchTask", {"Keyword": "x" * TOO_BIG}, 230, "larger than the limit")


def test_ucloud_unexpected_error_is_retcode_150_with_a_logged_request_id(server, operator, monkeypatch, caplog):
    def boom(caller, params):
        raise RuntimeError("kaboom")

    monkeypatch.setitem(ucloud_actions.HANDLERS, "DescribeOrchTaskType", boom)
    host, port = server
    with caplog.at_level(logging.ERROR):
        message = fails(ucloud(server, operator), "DescribeOrchTaskType", {"CompanyID": operator.tenant.pk}, 150)
    answer = requests.post(f"http://{host}:{port}/", data={"PublicKey": operator.key_id, "Action": "Nope"},
                           timeout=10)
    assert answer.headers["X-UCLOUD-REQUEST-UUID"]
    request_id = message.rpartition("request ")[2].rstrip(").")
    assert request_id and logged(caplog, request_id)


def test_ucloud_describe_with_a_project_the_caller_cannot_see_is_an_error(server, operator, outsider, region):
    mine = Project.objects.create(tenant=operator.tenant, name="mine")
    theirs = Project.objects.create(tenant=outsider.tenant, name="theirs")
    svc.create_orch_task(tenant=operator.tenant, user=operator.user, region=region.pk, name="in project",
                         task_type="StartInOrder", resource_type="VM", steps=[], project_id=mine.pk,
                         condition=json.dumps({"NamePattern": "x*"}))
    svc.create_orch_task(tenant=operator.tenant, user=operator.user, region=region.pk, name="no project",
                         task_type="StartInOrder", resource_type="VM", steps=[],
                         condition=json.dumps({"NamePattern": "y*"}))
    uc = ucloud(server, operator, region=region.pk)
    fails(uc, "DescribeOrchTask", {"ProjectID": theirs.pk}, 8501, theirs.pk)
    fails(uc, "DescribeOrchTask", {"ProjectID": "org-nope"}, 8501, "org-nope")
    answer = uc.invoke("DescribeOrchTask", {"ProjectID": mine.pk})
    assert [info["Name"] for info in answer["Infos"]] == ["in project"] and OrchTask.objects.count() == 2


@pytest.mark.parametrize("args,place", [({"Limit": "1.5"}, "Limit"), ({"Limit": "0"}, "Limit"),
                                        ({"Offset": "-1"}, "Offset"), ({"Offset": str(10**12)}, "Offset")])
def test_ucloud_bad_paging_is_retcode_230(server, operator, args, place):
    fails(ucloud(server, operator), "DescribeOrchTask", args, 230, place)


# -- Baidu OOS ------------------------------------------------------------------------------------------------------


def baidu_fails(call, status: int, code: str, text: str = "") -> None:
    with pytest.raises(BceHttpClientError) as err:
        call()
    error = server_error(err)
    assert (error.status_code, error.code) == (status, code), (error.status_code, error.code, str(error))
    assert text in str(error), str(error)


def test_baidu_oversized_description_is_413(server, operator):
    client = oos(server, operator.key_id, operator.secret)
    baidu_fails(lambda: client.create_template("big", [STOP], description="x" * TOO_BIG), 413,
                "RequestEntityTooLarge", "larger than the limit")


def test_baidu_deep_operator_properties_are_malformed_json(server, operator):
    client = oos(server, operator.key_id, operator.secret)
    nested: object = "i-abc"
    for _ in range(500):
        nested = [nested]
    operator_spec = {**STOP, "properties": {"instances": nested}}
    baidu_fails(lambda: client.create_template("deep", [operator_spec]), 400, "MalformedJSON", "nested deeper")


def test_baidu_overflowing_expiration_is_invalid_authorization(server, operator):
    host, port = server
    header = f"bce-auth-v1/{operator.key_id}/2026-01-01T00:00:00Z/99999999999999999999/host/{'0' * 64}"
    answer = requests.post(f"http://{host}:{port}/api/logic/oos/v2/template/list", json={},
                           headers={"Authorization": header}, timeout=10)
    assert answer.status_code == 400 and answer.json()["code"] == "InvalidAuthorization"
    assert answer.json()["success"] is False and answer.json()["requestId"]


@pytest.mark.parametrize("page_no,page_size,place", [(10**30, 10, "pageNo"), (-1, 10, "pageNo"),
                                                     (1, 0, "pageSize"), (1, 1.5, "pageSize"),
                                                     (1, "abc", "pageSize"), (1, 1e20, "pageSize")])
def test_baidu_bad_paging_is_invalid_parameter(server, operator, page_no, page_size, place):
    client = oos(server, operator.key_id, operator.secret)
    baidu_fails(lambda: client.get_template_list(page_no, page_size), 400, "InvalidParameter", place)


# -- Huawei AOM -----------------------------------------------------------------------------------------------------


def huawei_fails(client, request, status: int, code: str, text: str = ""):
    with pytest.raises((ClientRequestException, ServerResponseException)) as err:
        client.list_workflow(request)
    assert (err.value.status_code, err.value.error_code) == (status, code), (err.value.status_code, err.value)
    assert text in err.value.error_msg, err.value.error_msg
    return err.value


def test_huawei_oversized_body_is_413(server, operator):
    client = aom(server, operator, str(operator.tenant.pk))
    huawei_fails(client, query(search="x" * TOO_BIG), 413, "AOM.31001302", "larger than the limit")


@pytest.mark.parametrize("fields,place", [({"page": 10**20}, "page"), ({"size": 10**20}, "size"),
                                          ({"search_time_start": 10**18}, "search_time_start")])
def test_huawei_out_of_range_numbers_are_invalid(server, operator, fields, place):
    client = aom(server, operator, str(operator.tenant.pk))
    huawei_fails(client, query(**fields), 400, "AOM.31001302", place)


def test_huawei_unexpected_error_has_a_logged_request_id(server, operator, monkeypatch, caplog):
    def boom(*args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(huawei_views, "_list", boom)
    client = aom(server, operator, str(operator.tenant.pk))
    with caplog.at_level(logging.ERROR):
        error = huawei_fails(client, query(), 500, "AOM.31001305")
    assert error.request_id and error.request_id in error.error_msg and logged(caplog, error.request_id)
