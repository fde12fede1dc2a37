"""Signature v1 and ACS3 authentication, as the official SDKs send them, and every refusal."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from alibabacloud_oos20190601 import models as oos_models
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkoos.request.v20190601 import CreateTemplateRequest, GetTemplateRequest, ListTemplatesRequest
from django.contrib.auth import get_user_model
from django.utils import timezone
from Tea.exceptions import TeaException

from orchestration.faces import credentials
from orchestration.faces.alibaba import signing
from orchestration.models import AccessKey, SignatureNonce

from .conftest import Acs, Tea
from .test_alibaba_templates import SLEEP


def list_templates(acs: Acs) -> dict:
    return acs(ListTemplatesRequest.ListTemplatesRequest())


def test_v1_signature_accepted_and_key_marked_used(acs, operator):
    assert list_templates(acs)["RequestId"]
    assert AccessKey.objects.get(pk=operator.key_id).last_used_at is not None


def test_wrong_secret(server, operator):
    with pytest.raises(ServerException) as err:
        list_templates(Acs(server, (operator.key_id, "not-the-secret")))
    # The server echoes its string to sign; aliyun-python-sdk-core recognises it as its own
    # and reports the wrong secret precisely.
    assert err.value.get_http_status() == 400
    assert err.value.get_error_code() == "InvalidAccessKeySecret"


def test_unknown_and_disabled_keys(server, operator):
    with pytest.raises(ServerException) as err:
        list_templates(Acs(server, ("AKNOSUCHKEY", "x")))
    assert err.value.get_http_status() == 404 and err.value.get_error_code() == "InvalidAccessKeyId.NotFound"

    AccessKey.objects.filter(pk=operator.key_id).update(enabled=False)
    with pytest.raises(ServerException) as err:
        list_templates(Acs(server, operator))
    assert err.value.get_error_code() == "InvalidAccessKeyId.Inactive"

    AccessKey.objects.filter(pk=operator.key_id).update(enabled=True)
    get_user_model().objects.filter(pk=operator.user.pk).update(is_active=False)
    with pytest.raises(ServerException) as err:
        list_templates(Acs(server, operator))
    assert err.value.get_error_code() == "InvalidAccessKeyId.Inactive" and "owner" in err.value.get_error_msg()

    get_user_model().objects.filter(pk=operator.user.pk).update(is_active=True)
    operator.tenant.enabled = False
    operator.tenant.save()
    with pytest.raises(ServerException) as err:
        list_templates(Acs(server, operator))
    assert "tenant" in err.value.get_error_msg()


def signed_url(server, operator, **overrides) -> tuple[str, dict]:
    """A hand-signed v1 GET, so tests can tamper with timestamps and nonces."""
    params = {
        "Action": "ListTemplates", "Version": "2019-06-01", "Format": "JSON", "AccessKeyId": operator.key_id,
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "nonce-1",
        "Timestamp": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    params["Signature"] = signing.v1_signature(operator.secret, signing.v1_string_to_sign("GET", params))
    host, port = server
    return f"http://{host}:{port}/", params


def test_timestamp_window_and_format(server, operator):
    old = (timezone.now() - timedelta(minutes=16)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url, params = signed_url(server, operator, Timestamp=old)
    answer = requests.get(url, params=params, timeout=10)
    assert answer.status_code == 400 and answer.json()["Code"] == "InvalidTimeStamp.Expired"
    url, params = signed_url(server, operator, Timestamp="yesterday")
    answer = requests.get(url, params=params, timeout=10)
    assert answer.status_code == 400 and answer.json()["Code"] == "InvalidTimeStamp.Format"
    fine = (timezone.now() - timedelta(minutes=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url, params = signed_url(server, operator, Timestamp=fine)
    assert requests.get(url, params=params, timeout=10).status_code == 200


def test_replayed_nonce(server, operator):
    url, params = signed_url(server, operator, SignatureNonce="once-only")
    first = requests.get(url, params=params, timeout=10)
    assert first.status_code == 200
    again = requests.get(url, params=params, timeout=10)
    body = again.json()
    assert again.status_code == 400 and body["Code"] == "SignatureNonceUsed"
    assert set(body) == {"RequestId", "HostId", "Code", "Message"}
    assert SignatureNonce.objects.filter(nonce="once-only").count() == 1


def test_nonces_are_purged_after_the_window(operator, transactional_db):
    SignatureNonce.objects.create(
        access_key_id=operator.key_id, nonce="ancient", seen_at=timezone.now() - credentials.NONCE_TTL * 2
    )
    assert credentials.purge_nonces() == 1


def test_missing_and_bad_parameters(server, operator):
    url, params = signed_url(server, operator, SignatureNonce=None)
    body = requests.get(url, params=params, timeout=10).json()
    assert body["Code"] == "MissingParameter" and "SignatureNonce" in body["Message"]
    url, params = signed_url(server, operator, Action="NoSuchAction")
    answer = requests.get(url, params=params, timeout=10)
    assert answer.status_code == 404 and answer.json()["Code"] == "InvalidAction.NotFound"
    url, params = signed_url(server, operator, Version="2014-01-01")
    assert requests.get(url, params=params, timeout=10).json()["Code"] == "InvalidVersion"
    url, params = signed_url(server, operator, SignatureMethod="HMAC-MD5")
    assert requests.get(url, params=params, timeout=10).json()["Code"] == "InvalidParameter.SignatureMethod"
    url, params = signed_url(server, operator)
    params["SortOrder"] = "Sideways"  # added after signing
    answer = requests.get(url, params=params, timeout=10)
    assert answer.status_code == 400 and answer.json()["Code"] == "SignatureDoesNotMatch"


def test_requests_with_a_public_key_go_to_the_ucloud_face(server):
    """`POST /` serves two faces: a PublicKey marks a UCloud call, answered in UCloud's envelope."""
    host, port = server
    answer = requests.post(f"http://{host}:{port}/", data={"Action": "DescribeOrchTask", "PublicKey": "x"}, timeout=10)
    body = answer.json()
    assert answer.status_code == 200 and body["RetCode"] != 0
    assert body["Action"] == "DescribeOrchTaskResponse" and body["Message"]


# --- ACS3-HMAC-SHA256 through alibabacloud-oos20190601 ---------------------------------


def test_acs3_round_trip(tea):
    created = tea.create_template(oos_models.CreateTemplateRequest(
        template_name="TeaTemplate", content=json.dumps(SLEEP), tags={"via": "tea"}
    )).body
    assert created.template.template_name == "TeaTemplate" and created.template.tags == {"via": "tea"}
    assert created.request_id
    got = tea.get_template(oos_models.GetTemplateRequest(template_name="TeaTemplate")).body
    assert json.loads(got.content) == SLEEP and got.template.template_version == "v1"
    listed = tea.list_templates(oos_models.ListTemplatesRequest(share_type="Private", max_results=20)).body
    assert [t.template_name for t in listed.templates] == ["TeaTemplate"] and listed.max_results == 20
    updated = tea.update_template(oos_models.UpdateTemplateRequest(
        template_name="TeaTemplate", content=json.dumps({**SLEEP, "Description": "v2"})
    )).body
    assert updated.template.template_version == "v2"
    risky = tea.list_execution_risky_tasks(oos_models.ListExecutionRiskyTasksRequest(template_name="TeaTemplate"))
    assert risky.body.risky_tasks == []
    actions = tea.list_actions(oos_models.ListActionsRequest(oosaction_name="ACS::Sleep")).body
    assert [a.oosaction_name for a in actions.actions] == ["ACS::Sleep"]
    tea.tag_resources(oos_models.TagResourcesRequest(
        resource_type="template", resource_ids=["TeaTemplate"], tags={"k": "v"}, region_id="cn-test"
    ))
    tagged = tea.list_tag_resources(oos_models.ListTagResourcesRequest(
        resource_type="template", region_id="cn-test"
    )).body
    pairs = [(r.resource_id, r.tag_key) for r in tagged.tag_resources.tag_resource]
    assert pairs == [("TeaTemplate", "k"), ("TeaTemplate", "via")]
    tea.untag_resources(oos_models.UntagResourcesRequest(
        resource_type="template", resource_ids=["TeaTemplate"], all=True, region_id="cn-test"
    ))
    valid = tea.validate_template_content(oos_models.ValidateTemplateContentRequest(content=json.dumps(SLEEP)))
    assert valid.body.tasks[0].name == "pause"
    policy = tea.generate_execution_policy(oos_models.GenerateExecutionPolicyRequest(template_name="TeaTemplate"))
    assert policy.body.request_id
    tea.delete_template(oos_models.DeleteTemplateRequest(template_name="TeaTemplate"))


def test_acs3_errors(server, operator, tea):
    with pytest.raises(TeaException) as err:
        tea.get_template(oos_models.GetTemplateRequest(template_name="Missing"))
    assert err.value.code == "EntityNotExists.Template" and err.value.status_code == 404
    wrong = Tea(server, type(operator)(operator.tenant, operator.user, operator.key_id, "wrong-secret"))
    with pytest.raises(TeaException) as err:
        wrong.list_templates(oos_models.ListTemplatesRequest())
    assert err.value.code == "SignatureDoesNotMatch" and err.value.status_code == 400
    unknown = Tea(server, type(operator)(operator.tenant, operator.user, "AKUNKNOWN", "x"))
    with pytest.raises(TeaException) as err:
        unknown.list_templates(oos_models.ListTemplatesRequest())
    assert err.value.code == "InvalidAccessKeyId.NotFound"
    with pytest.raises(TeaException) as err:
        tea.create_template(oos_models.CreateTemplateRequest(template_name="x"))
    assert err.value.code == "MissingParameter"


def test_create_via_v1_then_read_via_acs3(acs, tea):
    req = CreateTemplateRequest.CreateTemplateRequest()
    req.set_TemplateName("Both")
    req.set_Content(json.dumps(SLEEP))
    acs(req)
    assert tea.get_template(oos_models.GetTemplateRequest(template_name="Both")).body.template.template_name == "Both"
    get = GetTemplateRequest.GetTemplateRequest()
    get.set_TemplateName("Both")
    assert acs(get)["Template"]["TemplateName"] == "Both"
