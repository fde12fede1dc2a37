"""Baidu OOS face through bce-python-sdk's OosClient (bce-auth-v1) against a live server."""
from __future__ import annotations

import pytest
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.exception import BceHttpClientError
from baidubce.services.oos.oos_client import OosClient

from orchestration.models import AccessKey
from templates_app.models import Template

STOP = {
    "name": "stop_bcc",
    "operator": "BCE::BCC::StopInstance",
    "retries": 0,
    "retryInterval": 60000,
    "timeout": 3600000,
    "properties": {"instances": [{"instanceId": "i-abc"}]},
}


def oos(server, key_id: str, secret: str) -> OosClient:
    host, port = server
    return OosClient(BceClientConfiguration(credentials=BceCredentials(key_id, secret), endpoint=f"http://{host}:{port}"))


@pytest.fixture
def client(server, operator) -> OosClient:
    return oos(server, operator.key_id, operator.secret)


def server_error(exc_info):
    """bce-python-sdk wraps the server's error in BceHttpClientError.last_error (a BceServerError)."""
    return exc_info.value.last_error


def test_template_lifecycle(client, operator):
    created = client.create_template("test_oos_template", [STOP], description="stop one VM")
    assert created.success is True and created.code == 200 and created.result.id.startswith("t-")
    template_id = created.result.id

    detail = client.get_template_detail("test_oos_template").result
    assert detail.id == template_id and detail.name == "test_oos_template" and detail.linear is True
    assert detail.operators[0].operator == "BCE::BCC::StopInstance"
    assert detail.operators[0].retry_interval == 60000 and detail.operators[0].timeout == 3600000
    assert detail.operators[0].properties.instances[0].instance_id == "i-abc"
    assert isinstance(detail.created_timestamp, int) and detail.type == "INDIVIDUAL"

    updated = client.update_template(template_id, "test_oos_template", [{**STOP, "retries": 2}], description="v2")
    assert updated.result.id == template_id
    assert Template.objects.get(pk=template_id).version == 2
    assert client.get_template_detail("test_oos_template").result.operators[0].retries == 2

    checked = client.check_template("whatever", [STOP])
    assert checked.success is True

    listed = client.get_template_list(1, 10).result
    names = [t.name for t in listed.templates]
    assert "test_oos_template" in names and listed.total_count >= 1 and listed.page_no == 1

    operators = client.get_operator_list(1, 100).result
    assert "BCE::BCC::StopInstance" in [o.name for o in operators.operators]

    deleted = client.delete_template(template_id)
    assert deleted.success is True
    assert not Template.objects.filter(pk=template_id).exists()
    assert AccessKey.objects.get(pk=operator.key_id).last_used_at is not None


def test_errors(server, client, operator, viewer, outsider):
    client.create_template("mine", [STOP])
    with pytest.raises(BceHttpClientError) as err:
        client.create_template("mine", [STOP])
    assert server_error(err).code == "EntityAlreadyExists.Template" and server_error(err).status_code == 409

    with pytest.raises(BceHttpClientError) as err:
        client.check_template("bad", [{"name": "x", "operator": "BCE::No::Such"}])
    assert server_error(err).code == "InvalidTemplate" and "BCE::No::Such" in str(server_error(err))

    with pytest.raises(BceHttpClientError) as err:
        client.create_template("empty", [])
    assert server_error(err).code == "InvalidParameter" and "operators" in str(server_error(err))

    with pytest.raises(BceHttpClientError) as err:
        oos(server, outsider.key_id, outsider.secret).get_template_detail("mine")
    assert server_error(err).status_code == 404

    with pytest.raises(BceHttpClientError) as err:
        oos(server, viewer.key_id, viewer.secret).create_template("viewer", [STOP])
    assert server_error(err).code == "AccessDenied" and server_error(err).status_code == 403

    with pytest.raises(BceHttpClientError) as err:
        oos(server, operator.key_id, "wrong").get_template_list(1, 10)
    assert server_error(err).code == "SignatureDoesNotMatch" and server_error(err).status_code == 400

    with pytest.raises(BceHttpClientError) as err:
        oos(server, "AKNOPE", "x").get_template_list(1, 10)
    assert server_error(err).code == "InvalidAccessKeyId" and server_error(err).status_code == 403

    AccessKey.objects.filter(pk=operator.key_id).update(enabled=False)
    with pytest.raises(BceHttpClientError) as err:
        client.get_template_list(1, 10)
    assert server_error(err).code == "AccessDenied"
    AccessKey.objects.filter(pk=operator.key_id).update(enabled=True)

    with pytest.raises(BceHttpClientError) as err:
        client.get_template_list(0, 10)
    assert server_error(err).code == "InvalidParameter" and "pageNo" in str(server_error(err))


def test_unsigned_and_expired_requests(server, operator):
    import requests

    host, port = server
    answer = requests.post(f"http://{host}:{port}/api/logic/oos/v2/template/list", json={}, timeout=10)
    body = answer.json()
    assert answer.status_code == 403 and body["success"] is False and body["code"] == "AccessDenied" and body["msg"]
    stale = f"bce-auth-v1/{operator.key_id}/2020-01-01T00:00:00Z/1800//{'0' * 64}"
    answer = requests.post(f"http://{host}:{port}/api/logic/oos/v2/template/list", json={},
                           headers={"Authorization": stale}, timeout=10)
    assert answer.status_code == 400 and answer.json()["code"] == "RequestExpired"
