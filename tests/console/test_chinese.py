"""Chinese throughout: choice names, waiting reasons, log lines and engine/vSphere messages
come from the one gettext catalog (locale/zh_Hans), on the pages an operator reads."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from orchestration.authorization import SYSTEM
from orchestration.console import phrases
from templates_app.services import analysis
from templates_app.services import templates as template_service
from tests.console.conftest import RUNBOOK, drive
from tests.console.test_executions_pages import start

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def chinese(operator_a, client_as):
    client = client_as(operator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_a_chinese_execution_page_translates_choices_reasons_and_log_lines(chinese, tenant_a):
    runbook = template_service.create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    execution = drive(start(chinese, runbook, Target="vm-1").pk)
    page = visible_text(chinese.get(f"/console/executions/{execution.pk}/").content.decode())
    assert "等待审批" in page and "WaitingForApproval" not in page  # the reason
    assert "模式 自动" in page or "自动" in page and "Automatic" not in page  # the mode
    assert "执行已开始（模板 approve-pause v1）。" in page  # a log line
    assert "任务 approve 已开始（ACS::Approve）。" in page
    listing = visible_text(chinese.get("/console/executions/").content.decode())
    assert "自动" in listing and "Automatic" not in listing and "等待审批" in listing

    chinese.post(f"/console/executions/{execution.pk}/act/", {"action": "reject", "note": "不行"})
    drive(execution.pk)
    page = visible_text(chinese.get(f"/console/executions/{execution.pk}/").content.decode())
    assert "已被 oscar 拒绝：不行" in page
    assert "任务 approve 失败：已被 oscar 拒绝：不行" in page


@pytest.mark.parametrize(("stored", "shown"), [
    ("Task stop failed: 1 of 2 VM operation(s) failed: web-1 (vm-57): the VM is already powered on",
     "任务 stop 失败：2 个虚拟机操作中有 1 个失败：web-1（vm-57）：虚拟机已处于开机状态"),
    ("VM ids not in the synced inventory of this tenant's vCenters: vm-99999 (check the spelling, or sync the vCenter)",
     "此租户 vCenter 的已同步清单中没有这些虚拟机 ID：vm-99999（请检查拼写，或同步 vCenter）"),
    ("Execution cancelled. Cancelled by alice.", "执行已取消。已被 alice 取消。"),
    ("Selected 2 VM(s): web 1, web-2", "已选中 2 台虚拟机：web 1, web-2"),
    ("web 1: guest process 4242 terminated.", "web 1：客户机进程 4242 已终止。"),
    ("Timer over after 3 run(s).", "定时器已结束，共运行 3 次。"),
    ("Task run failed: 1 of 1 VM operation(s) failed: web-1 (vm-57): wrong guest credentials: the guest rejected "
     "the user name or password",
     "任务 run 失败：1 个虚拟机操作中有 1 个失败：web-1（vm-57）：客户机凭据错误：客户机拒绝了用户名或密码"),
    ("Something nobody catalogued.", "Something nobody catalogued."),
])
def test_engine_and_vsphere_messages_are_shown_in_chinese(stored, shown):
    with translation.override("zh-hans"):
        assert phrases.translate(stored) == shown
    with translation.override("en"):
        assert phrases.translate(stored) == stored


# One template that breaks most rules the validator has: every problem it reports must be
# shown in Chinese by the editor (a check added without its phrase fails here).
BROKEN = """FormatVersion: OOS-2019-06-01
Descripton: typo in a top-level key
Parameters:
  Size:
    Type: Integr
  Count:
    Type: Number
    Default: 'many'
    MinValue: 5
    MaxValue: 1
  9bad:
    Type: String
Tasks:
  - Name: sleep
    Action: ACS::Slep
    Timeot: 5
  - Name: sleep
    Action: ACS::Sleep
    Properties:
      Duration: 5
      Duratoin: PT1M
    Retries: -1
    OnSuccess: nowhere
  - Name: stop
    Action: ACS::VSphere::StopVM
    Properties:
      Force: 'yes'
    When: no-such-condition
  - Name: ecs
    Action: ACS::ECS::StopInstance
    Properties:
      Message: '{{ missing }} and {{ stop.NoOutput }}'
    Loop:
      Items: 3
      Mode: Batch
Outputs:
  Result:
    Type: String
"""


def test_every_problem_the_editor_lists_is_shown_in_chinese():
    report = analysis.editor_report(BROKEN)
    messages = [p["message"] for p in report["problems"]]
    assert len(messages) >= 15, messages
    with translation.override("zh-hans"):
        shown = [phrases.translate(m) for m in messages]
    # English left over once names, quoted values and code ({…}) are set aside: none but "none"
    leftover = [re.findall(r"\b[a-z]{3,}\b", re.sub(r"'[^']*'|\{[^}]*\}|\b\w*[A-Z:]\w*", "", text)) for text in shown]
    assert [words for words in leftover if set(words) - {"none"}] == []
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in shown), shown
    with translation.override("en"):
        assert [phrases.translate(m) for m in messages] == messages


@pytest.mark.parametrize(("written", "shown"), [
    ("unknown action 'ACS::Slep'; did you mean 'ACS::Sleep'?", "未知的动作 'ACS::Slep'；是否要写 'ACS::Sleep'？"),
    ("Additional properties are not allowed ('Duratoin' was unexpected); did you mean 'Duration'?",
     "不允许的属性：'Duratoin'；是否要写 'Duration'？"),
    ("must be a whole number >= 1 or a percentage like '50%'", "必须是 >= 1 的整数或百分比（如 '50%'）"),
    ("Parameters.Seconds: 99 is above MaxValue 60", "Parameters.Seconds：99 大于 MaxValue 60"),
    ("Parameters.Size: 'huge' is not one of AllowedValues ['small', 'large'] (small or large only)",
     "Parameters.Size：'huge' 不在 AllowedValues ['small', 'large'] 之中（small or large only）"),
    ("Hint: nothing catalogued here", "Hint: nothing catalogued here"),  # a place before an unknown sentence
])
def test_validator_sentences_are_shown_in_chinese(written, shown):
    with translation.override("zh-hans"):
        assert phrases.translate(written) == shown


def test_the_editor_and_the_run_form_show_problems_in_chinese(chinese, tenant_a):
    bad = RUNBOOK.replace("ACS::Sleep", "ACS::Slep")
    page = visible_text(chinese.post("/console/templates/validate/", {"content": bad}).content.decode())
    assert "未知的动作 'ACS::Slep'；是否要写 'ACS::Sleep'？" in page.replace("&#x27;", "'")

    runbook = template_service.create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    response = chinese.post(f"/console/templates/{runbook.pk}/run/", {
        "mode": "Automatic", "safety_check": "ConfirmEveryHighRiskAction", "loop_mode": "Automatic",
        "param-Target": "db-1", "param-Seconds": "99",
    })
    page = visible_text(response.content.decode()).replace("&#x27;", "'")
    assert response.status_code == 400
    assert "'db-1' 不匹配 AllowedPattern 'vm-[0-9]+'" in page and "99 大于 MaxValue 60" in page


def test_service_refusals_are_shown_in_chinese_beside_the_field_and_on_the_error_page(chinese, tenant_a):
    response = chinese.post("/console/templates/new/", {"name": "ACS-Mine", "content": RUNBOOK})
    page = visible_text(response.content.decode()).replace("&#x27;", "'")
    assert response.status_code == 400
    assert "以 ACS, ALIYUN, ALIBABA, ALICLOUD 开头的名称保留给内置模板" in page and "reserved" not in page

    runbook = template_service.create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    execution = drive(start(chinese, runbook, Target="vm-1").pk)  # waiting for approval: not Failed
    response = chinese.post(f"/console/executions/{execution.pk}/act/", {"action": "rerun"})
    page = visible_text(response.content.decode())
    assert response.status_code == 409
    assert f"只有失败的执行可以重新运行；{execution.pk} 处于等待中状态" in page


@pytest.mark.parametrize(("written", "shown"), [
    ("Name: a name may not start with ACS, ALIYUN", "Name：名称不能以 ACS, ALIYUN 开头"),
    ("execution exec-1 is Running", "执行 exec-1 处于运行中状态"),
    ("Template 'nope' does not exist.", "Template 'nope' 不存在。"),
])
def test_refusals_are_shown_in_chinese(written, shown):
    with translation.override("zh-hans"):
        assert phrases.translate(written) == shown
