"""Chinese throughout: choice names, waiting reasons, log lines and engine/vSphere messages
come from the one gettext catalog (locale/zh_Hans), on the pages an operator reads."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from orchestration.authorization import SYSTEM
from orchestration.console import phrases
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
    ("Something nobody catalogued.", "Something nobody catalogued."),
])
def test_engine_and_vsphere_messages_are_shown_in_chinese(stored, shown):
    with translation.override("zh-hans"):
        assert phrases.translate(stored) == shown
    with translation.override("en"):
        assert phrases.translate(stored) == stored
