"""Replays of UCloud-style forms, and each face's throttling error once a key's rate is spent.

UCloud signatures carry no timestamp or nonce, so an exact copy of a state-changing form
is refused (RetCode 175) for ``SIGNATURE_REPLAY_WINDOW_SECONDS``. Every signed face
counts requests per access key against ``API_KEY_RATE`` and answers in its own format
with ``Retry-After``.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import requests
from alibabacloud_oos20190601 import models as oos_models
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkoos.request.v20190601 import ListTemplatesRequest
from baidubce.exception import BceHttpClientError
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from ucloud.core.exc import RetCodeException

from orchestration.faces import credentials
from orchestration.models import Execution, SignatureNonce
from tests.faces.conftest import Acs, Signer, Tea
from tests.faces.orchtask_fixtures import REGION, moref, step, synced  # noqa: F401 (fixture)
from tests.faces.test_baidu import oos
from tests.faces.test_huawei import aom, query
from tests.faces.test_ucloud import ucloud
from tests.vsphere.conftest import _fresh_sessions  # noqa: F401 (fixtures)


def signed_form(signer: Signer, **params: str) -> dict[str, str]:
    """A form signed as ucloud-sdk-python3 signs it: sorted name+value pairs, the private key, SHA1."""
    form = {"PublicKey": signer.key_id, "Region": REGION, **{k: str(v) for k, v in params.items()}}
    text = "".join(k + v for k, v in sorted(form.items())) + signer.secret
    return {**form, "Signature": hashlib.sha1(text.encode()).hexdigest()}


def post(server, form: dict[str, str]) -> requests.Response:
    host, port = server
    response = requests.post(f"http://{host}:{port}/", data=form, timeout=30)
    assert response.status_code == 200, response.text
    return response


def ret_code(server, form: dict[str, str]) -> int:
    return post(server, form).json()["RetCode"]


@pytest.fixture
def task_id(server, operator, synced) -> str:  # noqa: F811
    created = ucloud(server, operator).invoke("CreateOrchTask", {
        "CompanyID": operator.tenant.pk, "Name": "replayed", "TaskType": "StartInOrder", "ResourceType": "VM",
        "Steps": [step(1, moref(synced, "DC0_H0_VM0"))]})
    return created["TaskID"]


def test_a_replayed_operate_form_is_refused(server, operator, task_id):
    operate = signed_form(operator, Action="OperateOrchTask", TaskID=task_id, Operation="Execute")
    assert ret_code(server, operate) == 0
    replay = post(server, operate).json()
    assert replay["RetCode"] == 175 and replay["Action"] == "OperateOrchTaskResponse"
    assert "replay" in replay["Message"] and "900 seconds" in replay["Message"]
    assert Execution.objects.filter(tenant=operator.tenant).count() == 1


def test_a_replayed_delete_form_is_refused(server, operator, task_id):
    delete = signed_form(operator, Action="DeleteOrchTask", TaskID=task_id)
    assert ret_code(server, delete) == 0
    assert ret_code(server, delete) == 175  # refused as a replay, before the task is looked up


def test_the_sdk_repeating_a_state_changing_call_is_a_replay(server, operator, task_id):
    uc = ucloud(server, operator)
    uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Execute"})
    with pytest.raises(RetCodeException) as err:
        uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Execute"})
    assert err.value.code == 175 and not err.value.retryable
    # A deliberate repeat differs in some parameter (unknown ones are signed, then ignored).
    with pytest.raises(RetCodeException) as err:
        uc.invoke("OperateOrchTask", {"TaskID": task_id, "Operation": "Execute", "Nonce": "2"})
    assert err.value.code == 8502  # no longer a replay: judged on the task's state


def test_reads_are_not_refused_when_repeated(server, operator, task_id):
    describe = signed_form(operator, Action="DescribeOrchTask", **{"TaskIDs.0": task_id})
    answers = [post(server, describe).json() for _ in range(3)]
    assert [a["RetCode"] for a in answers] == [0, 0, 0] and answers[2]["TotalCount"] == 1
    assert ret_code(server, signed_form(operator, Action="DescribeOrchTaskType")) == 0
    assert ret_code(server, signed_form(operator, Action="DescribeOrchTaskType")) == 0


def test_a_form_is_accepted_again_after_the_window(server, operator, task_id):
    delete = signed_form(operator, Action="DeleteOrchTask", TaskID=task_id)
    assert ret_code(server, delete) == 0
    SignatureNonce.objects.update(seen_at=timezone.now() - timedelta(seconds=901))
    assert ret_code(server, delete) == 8501  # accepted as a new call: the task is gone
    # Rows outlive every window (at least the 30 minutes of Alibaba nonces), then are purged.
    with override_settings(SIGNATURE_REPLAY_WINDOW_SECONDS=60):
        SignatureNonce.objects.update(seen_at=timezone.now() - timedelta(seconds=61))
        credentials.purge_nonces()
        assert SignatureNonce.objects.exists()
        SignatureNonce.objects.update(seen_at=timezone.now() - timedelta(minutes=31))
        credentials.purge_nonces()
        assert not SignatureNonce.objects.exists()


# --- per-key rate limits ----------------------------------------------------------------

@pytest.fixture
def two_per_minute():
    cache.clear()
    with override_settings(API_KEY_RATE="2/minute"):
        yield
    cache.clear()


def test_alibaba_v1_answers_throttling_user(server, operator, two_per_minute):
    acs = Acs(server, operator)
    for _ in range(2):
        acs(ListTemplatesRequest.ListTemplatesRequest())
    with pytest.raises(ServerException) as err:
        acs(ListTemplatesRequest.ListTemplatesRequest())
    assert (err.value.get_http_status(), err.value.get_error_code()) == (400, "Throttling.User")
    assert "user flow control" in err.value.get_error_msg()
    # Another key has its own budget.
    other = Signer(operator.tenant, operator.user, *_second_key(operator))
    assert Acs(server, other)(ListTemplatesRequest.ListTemplatesRequest())["RequestId"]


def _second_key(signer: Signer) -> tuple[str, str]:
    from orchestration.services.tenancy import issue_access_key

    issued = issue_access_key(signer.tenant, signer.user)
    return issued.key.pk, issued.secret


def test_alibaba_tea_sdk_sees_a_throttling_exception_with_its_back_off(server, operator, two_per_minute):
    tea = Tea(server, operator)
    for _ in range(2):
        tea.list_templates(oos_models.ListTemplatesRequest())
    with pytest.raises(ThrottlingException) as err:
        tea.list_templates(oos_models.ListTemplatesRequest())
    assert err.value.code == "Throttling.User" and err.value.status_code == 400
    assert 0 < err.value.retry_after <= 60_000  # milliseconds, from x-acs-retry-after


def test_ucloud_answers_retcode_176_with_retry_after(server, operator, two_per_minute):
    uc = ucloud(server, operator)
    for _ in range(2):
        uc.invoke("DescribeOrchTaskType", {})
    with pytest.raises(RetCodeException) as err:
        uc.invoke("DescribeOrchTaskType", {})
    assert err.value.code == 176 and "exceeded its rate of 2 requests per 60 seconds" in err.value.message
    response = post(server, signed_form(operator, Action="DescribeOrchTaskType"))
    assert response.json()["RetCode"] == 176 and 0 < int(response.headers["Retry-After"]) <= 60


def test_a_throttled_state_changing_form_can_be_sent_again(server, operator, task_id, two_per_minute):
    delete = signed_form(operator, Action="DeleteOrchTask", TaskID=task_id)
    assert [ret_code(server, signed_form(operator, Action="DescribeOrchTaskType")) for _ in range(2)] == [0, 0]
    assert ret_code(server, delete) == 176
    cache.clear()  # the window is over
    assert ret_code(server, delete) == 0  # not a replay: the throttled copy was never accepted


def test_baidu_answers_request_rate_limit_exceeded(server, operator, two_per_minute):
    client = oos(server, operator.key_id, operator.secret)
    for _ in range(2):
        client.get_operator_list(1, 10)
    with pytest.raises(BceHttpClientError) as err:
        client.get_operator_list(1, 10)
    error = err.value.last_error
    assert (error.status_code, error.code) == (429, "RequestRateLimitExceeded")


def test_huawei_answers_the_api_gateway_throttling_code(server, operator, two_per_minute):
    client = aom(server, operator, str(operator.tenant.pk))
    for _ in range(2):
        client.list_workflow(query())
    with pytest.raises(ClientRequestException) as err:
        client.list_workflow(query())
    assert (err.value.status_code, err.value.error_code) == (429, "APIGW.0308")
    assert "throttling threshold" in err.value.error_msg


def test_bad_signatures_do_not_spend_the_budget(server, operator, two_per_minute):
    wrong = Signer(operator.tenant, operator.user, operator.key_id, "not-the-secret")
    for _ in range(5):
        assert ret_code(server, signed_form(wrong, Action="DescribeOrchTaskType")) == 171
    assert ret_code(server, signed_form(operator, Action="DescribeOrchTaskType")) == 0
