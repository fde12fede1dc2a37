"""Baidu OOS executions through bce-python-sdk's OosClient: create (by reference, inline) and detail."""
from __future__ import annotations

import json
from itertools import count

import pytest
from baidubce.exception import BceHttpClientError
from baidubce.http import http_methods
from baidubce.services.oos.oos_client import OosClient
from baidubce.services.oos.oos_model import OperatorModel, TagModel, TemplateModel

from orchestration.authorization import SYSTEM
from orchestration.models import Execution
from orchestration.services import executions as execution_service
from templates_app.language.baidu import from_baidu
from templates_app.services.templates import create_template
from tests.orchestration.engine.conftest import drive

from .test_baidu import oos, server_error

_keys = count()

# Baidu's documented detail, key for key (bce-python-sdk hands attributes over in snake_case).
DETAIL_KEYS = {"id", "template", "created_timestamp", "updated_timestamp", "finished_timestamp", "state",
               "properties", "tasks", "tags", "trigger"}
TEMPLATE_KEYS = {"name", "type", "tags", "linear", "links", "operators", "properties"}
OPERATOR_KEYS = {"name", "operator", "retries", "retry_interval", "timeout", "manually", "schedule_delay_milli",
                 "pause_on_failure", "properties", "init_context"}
TASK_KEYS = {"id", "revision", "created_timestamp", "updated_timestamp", "finished_timestamp", "state", "operator",
             "init_context", "context", "output_context", "tries", "children"}


def op(name: str, operator: str, properties: dict | None = None, **fields) -> dict:
    return {"name": name, "operator": operator, "properties": properties or {}, **fields}


APPROVE_THEN_RECORD = [
    op("approve", "ACS::Approve"),
    op("record", "Test::Record", {"Value": {"Ref": "who"}}, retries=1, retryInterval=0, timeout=60000),
]
WHO = [{"name": "who", "type": "string", "defaultValue": "ops"}]


def flaky(name: str, failures: int, retries: int) -> dict:
    return op(name, "Test::Flaky", {"Failures": failures, "Key": f"baidu-{next(_keys)}"},
              retries=retries, retryInterval=0)


def keys(obj) -> set[str]:
    return set(vars(obj))


def fields(obj) -> dict:
    """bce-python-sdk turns a non-empty JSON object into attributes and leaves an empty one a dict."""
    return obj if isinstance(obj, dict) else vars(obj)


def detail(client, execution_id: str):
    answer = client.get_execution_detail(execution_id)
    assert answer.success is True and answer.code == 200 and answer.msg == ""
    return answer.result


def approve(execution_id: str, operator) -> None:
    execution_service.notify_execution(
        Execution.objects.get(pk=execution_id), operator.user, "Approve", note="ok"
    )


@pytest.fixture
def client(server, operator):
    return oos(server, operator.key_id, operator.secret)


def store(tenant, name: str, operators: list[dict], properties: list[dict] | None = None) -> str:
    """A stored Baidu template with declared properties (OosClient.create_template cannot send them)."""
    body = {"name": name, "linear": True, "operators": operators, "properties": properties or []}
    return create_template(tenant=tenant, actor=SYSTEM, name=name, content=json.dumps(from_baidu(body))).pk


def test_create_by_reference_and_follow_it(client, operator, tenant):
    template_id = store(tenant, "approve_then_record", APPROVE_THEN_RECORD, WHO)
    # bce-python-sdk's TemplateModel: a name, no operators — a reference to a stored template.
    answer = client.create_execution(TemplateModel("approve_then_record"), properties={"who": "alice"},
                                     description="by name", tags=[TagModel("ticket", "OPS-1")])
    assert answer.success is True and answer.code == 200
    execution_id = answer.result.id
    assert execution_id.startswith("exec-")

    queued = detail(client, execution_id)
    assert keys(queued) == DETAIL_KEYS and queued.state == "PENDING" and queued.tasks == []
    assert queued.finished_timestamp is None and queued.trigger == "MANUAL"

    assert drive(execution_id).status == "Waiting"
    waiting = detail(client, execution_id)
    assert waiting.state == "PAUSED" and waiting.finished_timestamp is None
    assert [(t.operator.name, t.state) for t in waiting.tasks] == [("approve", "PAUSED")]
    assert keys(waiting.tasks[0]) == TASK_KEYS and waiting.tasks[0].finished_timestamp is None
    assert waiting.properties.who == "alice"
    assert [(t.tag_key, t.tag_value) for t in waiting.tags] == [("ticket", "OPS-1")]
    template = waiting.template
    assert keys(template) - {"ref", "version"} == TEMPLATE_KEYS
    assert template.name == "approve_then_record" and template.ref == template_id and template.version == "v1"
    assert template.type == "INDIVIDUAL" and template.linear is True and template.links == []
    assert [keys(o) for o in template.operators] == [OPERATOR_KEYS, OPERATOR_KEYS]
    record = template.operators[1]
    assert (record.retries, record.retry_interval, record.timeout) == (1, 0, 60000)
    assert record.manually is False and record.schedule_delay_milli == 0 and record.pause_on_failure is False

    approve(execution_id, operator)
    assert drive(execution_id).status == "Success"
    done = detail(client, execution_id)
    assert done.state == "SUCCESS" and isinstance(done.finished_timestamp, int)
    assert done.created_timestamp <= done.updated_timestamp and done.finished_timestamp >= done.created_timestamp
    assert [(t.operator.name, t.state, t.tries) for t in done.tasks] == [("approve", "SUCCESS", 0),
                                                                         ("record", "SUCCESS", 0)]
    task = done.tasks[1]
    assert task.operator.operator == "Test::Record" and vars(task.operator.properties) == {}
    assert task.init_context.value.ref == "who" and task.operator.init_context.value.ref == "who"
    assert task.context.value == "alice" and fields(task.output_context) == {}  # no Outputs declared
    assert task.children == [] and isinstance(task.finished_timestamp, int)
    assert isinstance(task.revision, int)

    # By id (ref) and with a version; the name given alongside must match.
    client.update_template(template_id, "approve_then_record", [op("record", "Test::Record", {"Value": 2})])
    by_ref = client.create_execution(TemplateModel("approve_then_record", ref=template_id)).result.id
    assert detail(client, by_ref).template.version == "v2"
    pinned = client.create_execution({"name": "", "ref": template_id, "version": "v1", "operators": []},
                                     properties={"who": "bob"}).result.id
    assert [o.name for o in detail(client, pinned).template.operators] == ["approve", "record"]
    pinned_by_number = client.create_execution({"ref": template_id, "version": 1}).result.id
    assert detail(client, pinned_by_number).template.version == "v1"


def test_create_inline_linear_with_retries(client):
    operators = [
        OperatorModel("first", "Test::Record", {"Value": "one"}, retries=0, retry_interval=0, timeout=3600000),
        flaky("second", failures=2, retries=2),
    ]
    execution_id = client.create_execution(TemplateModel("inline_linear", operators=operators)).result.id
    assert drive(execution_id).status == "Success"
    done = detail(client, execution_id)
    assert keys(done) == DETAIL_KEYS and keys(done.template) == TEMPLATE_KEYS
    assert done.template.name == "inline_linear" and done.template.type == "INDIVIDUAL"
    assert done.template.operators[0].timeout == 3600000 and done.template.operators[1].retries == 2
    assert [(t.operator.name, t.state, t.tries) for t in done.tasks] == [("first", "SUCCESS", 0),
                                                                         ("second", "SUCCESS", 2)]
    assert done.tasks[0].context.value == "one" and fields(done.tasks[0].output_context) == {}


def test_create_inline_with_links(client):
    template = {
        "name": "inline_dag",
        "linear": False,
        "operators": [op("root", "Test::Record", {"Value": "r"}), op("left", "Test::Record", {"Value": "l"}),
                      op("right", "Test::Record", {"Value": "x"})],
        "links": [{"src": "root", "dst": "left"}, {"src": "root", "dst": "right"}],
    }
    execution_id = client.create_execution(template).result.id
    assert drive(execution_id).status == "Success"
    done = detail(client, execution_id)
    assert done.template.linear is False
    assert [(link.src, link.dst) for link in done.template.links] == [("root", "left"), ("root", "right")]
    assert [t.operator.name for t in done.tasks][0] == "root"
    assert sorted(t.operator.name for t in done.tasks) == ["left", "right", "root"]
    assert {t.state for t in done.tasks} == {"SUCCESS"}


def test_failed_retry_rerun_and_loop_children(client, operator, tenant):
    execution_id = client.create_execution(TemplateModel("fails", operators=[flaky("boom", 2, 1)])).result.id
    assert drive(execution_id).status == "Failed"
    failed = detail(client, execution_id)
    assert failed.state == "FAILED" and [(t.state, t.tries) for t in failed.tasks] == [("FAILED", 1)]

    # A re-run is a new task row, so a second entry; a retry is the same row with more tries.
    execution_service.rerun_execution(Execution.objects.get(pk=execution_id), operator.user)
    drive(execution_id)
    rerun = detail(client, execution_id)
    assert [t.operator.name for t in rerun.tasks] == ["boom", "boom"]
    assert rerun.tasks[0].state == "FAILED" and rerun.tasks[0].id != rerun.tasks[1].id

    # Loop items (an OOS template run through the Baidu face) are children of their task.
    loop = {"FormatVersion": "OOS-2019-06-01", "Tasks": [
        {"Name": "each", "Action": "Test::Record", "Properties": {"Value": "{{ ACS::TaskLoopItem }}"},
         "Loop": {"Items": ["a", "b"]}}]}
    create_template(tenant=tenant, actor=SYSTEM, name="looping", content=json.dumps(loop))
    looped = client.create_execution(TemplateModel("looping")).result.id
    assert drive(looped).status == "Success"
    each = detail(client, looped).tasks
    assert len(each) == 1 and [c.context.value for c in each[0].children] == ["a", "b"]
    assert {c.state for c in each[0].children} == {"SUCCESS"} and keys(each[0].children[0]) == TASK_KEYS


def test_execution_errors(server, client, operator, outsider, viewer, tenant):
    store(tenant, "gate", APPROVE_THEN_RECORD, WHO)
    cases = [
        (lambda: client.create_execution(TemplateModel("no_such_template")), 404, "EntityNotExists.Template",
         "no_such_template"),
        (lambda: client.create_execution(TemplateModel("gate"), properties={"nope": 1}), 400, "InvalidParameter",
         "nope"),
        (lambda: client.create_execution(TemplateModel("gate"), properties={"who": ["not", "a", "string"]}), 400,
         "InvalidParameter", "who"),
        (lambda: client.create_execution(TemplateModel("")), 400, "InvalidParameter", "template"),
        (lambda: client.create_execution({"ref": "gate", "version": "v9"}), 404, "EntityNotExists.TemplateVersion",
         "v9"),
        (lambda: client.create_execution(TemplateModel("x", operators=[op("a", "BCE::No::Such")])), 400,
         "InvalidTemplate", "BCE::No::Such"),
        (lambda: client.create_execution(TemplateModel("gate"), tags=[{"tagValue": "no key"}]), 400,
         "InvalidParameter", "tagKey"),
        (lambda: client.get_execution_detail("exec-missing"), 404, "EntityNotExists.Execution", "exec-missing"),
        (lambda: client.get_execution_detail(""), 400, "InvalidParameter", "id"),
    ]
    for call, status, code, fragment in cases:
        with pytest.raises(BceHttpClientError) as err:
            call()
        error = server_error(err)
        assert (error.status_code, error.code) == (status, code), str(error)
        assert fragment in str(error)

    execution_id = client.create_execution(TemplateModel("gate")).result.id
    stranger = oos(server, outsider.key_id, outsider.secret)
    with pytest.raises(BceHttpClientError) as err:
        stranger.get_execution_detail(execution_id)
    assert server_error(err).status_code == 404 and server_error(err).code == "EntityNotExists.Execution"
    with pytest.raises(BceHttpClientError) as err:
        stranger.create_execution(TemplateModel("gate"))
    assert server_error(err).code == "EntityNotExists.Template"
    with pytest.raises(BceHttpClientError) as err:
        oos(server, viewer.key_id, viewer.secret).create_execution(TemplateModel("gate"))
    assert server_error(err).status_code == 403 and server_error(err).code == "AccessDenied"
    assert oos(server, viewer.key_id, viewer.secret).get_execution_detail(execution_id).result.id == execution_id


def test_raw_envelope_matches_the_documented_one(client):
    """The JSON itself (not the SDK's objects): camelCase keys in the order Baidu's API document shows them."""
    execution_id = client.create_execution(TemplateModel("raw", operators=[op("only", "Test::Record")])).result.id
    drive(execution_id)

    def keep_json(http_response, response) -> bool:
        response.raw = json.loads(http_response.read())
        return True

    answer = client._send_request(http_methods.GET, b"/v2/execution", params={"id": execution_id},
                                  headers=OosClient.headers, body_parser=keep_json).raw
    assert set(answer) >= {"success", "msg", "code", "result"} and answer["success"] is True
    result = answer["result"]
    assert list(result) == ["id", "template", "createdTimestamp", "updatedTimestamp", "finishedTimestamp", "state",
                            "properties", "tasks", "tags", "trigger"]
    assert list(result["template"]) == ["name", "type", "tags", "linear", "links", "operators", "properties"]
    assert list(result["template"]["operators"][0]) == [
        "name", "operator", "retries", "retryInterval", "timeout", "manually", "scheduleDelayMilli",
        "pauseOnFailure", "properties", "initContext"]
    assert list(result["tasks"][0]) == ["id", "revision", "createdTimestamp", "updatedTimestamp",
                                        "finishedTimestamp", "state", "operator", "initContext", "context",
                                        "outputContext", "tries", "children"]
    assert result["state"] == "SUCCESS" and result["tasks"][0]["tries"] == 0 and result["trigger"] == "MANUAL"
