"""Execution detail additions: re-run from the failed step, loop items page, translated statuses."""
from __future__ import annotations

import json
import re

import pytest

import tests.orchestration.engine.conftest  # noqa: F401  (registers Test::Flaky and Test::Record)
from orchestration.authorization import SYSTEM
from orchestration.models import ExecutionStatus, TaskExecution
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import drive
from tests.orchestration.engine.conftest import FAILURES

pytestmark = pytest.mark.django_db


def loop_template(tenant, items: list[str], name: str = "each-vm"):
    body = {
        "FormatVersion": "OOS-2019-06-01",
        "Tasks": [{
            "Name": "each",
            "Action": "Test::Flaky",
            "Properties": {"Failures": 1, "Key": "console-{{ ACS::TaskLoopItem }}", "Value": "{{ ACS::TaskLoopItem }}"},
            "Loop": {"Items": items, "Concurrency": 3, "MaxErrors": 0},
        }],
    }
    return create_template(tenant=tenant, actor=SYSTEM, name=name, content=json.dumps(body))


@pytest.fixture
def failed_loop(tenant_a, operator_a):
    """A loop of three whose item 'bad' fails once (the others succeed at the first try)."""
    FAILURES.update({"console-ok1": 1, "console-ok2": 1})
    FAILURES.pop("console-bad", None)
    template = loop_template(tenant_a, ["ok1", "bad", "ok2"])
    execution = service.start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    execution = drive(execution.pk)
    assert execution.status == ExecutionStatus.FAILED
    yield execution
    for key in ("console-ok1", "console-ok2", "console-bad"):
        FAILURES.pop(key, None)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_failed_execution_offers_rerun_buttons(operator_a, viewer_a, failed_loop, client_as):
    page = text(client_as(operator_a).get(f"/console/executions/{failed_loop.pk}/"))
    assert "Re-run from failed step" in page and "Retry failed loop items only" in page
    assert "Re-run from failed step" not in text(client_as(viewer_a).get(f"/console/executions/{failed_loop.pk}/"))


def test_retry_failed_items_only(operator_a, failed_loop, client_as):
    client = client_as(operator_a)
    response = client.post(f"/console/executions/{failed_loop.pk}/act/", {"action": "rerun-failed-items"})
    assert response.status_code == 302
    execution = drive(failed_loop.pk)
    assert execution.status == ExecutionStatus.SUCCESS, execution.status_message
    items = TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=False)
    assert sorted(items.values_list("loop_item", "status")) == [
        ("bad", "Failed"), ("bad", "Success"), ("ok1", "Success"), ("ok2", "Success")
    ]
    assert "Re-run from failed step" not in text(client.get(f"/console/executions/{execution.pk}/"))


def test_rerun_whole_step(operator_a, failed_loop, client_as):
    client = client_as(operator_a)
    client.post(f"/console/executions/{failed_loop.pk}/act/", {"action": "rerun"})
    execution = drive(failed_loop.pk)
    assert execution.status == ExecutionStatus.SUCCESS
    runs = TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=False)
    assert runs.filter(loop_item="ok1").count() == 2  # the whole loop ran again


def test_rerun_refused_unless_failed(operator_a, tenant_a, client_as):
    template = loop_template(tenant_a, ["ok9"], name="fine")
    FAILURES["console-ok9"] = 1
    execution = service.start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    assert drive(execution.pk).status == ExecutionStatus.SUCCESS
    response = client_as(operator_a).post(f"/console/executions/{execution.pk}/act/", {"action": "rerun"})
    assert response.status_code == 409 and "only a Failed execution can be re-run" in response.content.decode()


def test_loop_items_page_with_paging_and_filter(operator_a, failed_loop, client_as):
    client = client_as(operator_a)
    loop = TaskExecution.objects.get(execution=failed_loop, parent_task_execution__isnull=True)
    detail = client.get(f"/console/executions/{failed_loop.pk}/").content.decode()
    url = f"/console/executions/{failed_loop.pk}/tasks/{loop.pk}/items/"
    assert url in detail  # the task table links its items
    page = text(client.get(url))
    n = loop.children.count()
    assert n >= 2 and page.count('class="loop-item"') == n
    assert "flaky failure 1" in page and "&quot;ok1&quot;" in page and f"{n} items" in page
    failed = text(client.get(url, {"status": "Failed"}))
    assert failed.count('class="loop-item"') == 1 and "&quot;bad&quot;" in failed
    assert client.get(f"/console/executions/{failed_loop.pk}/tasks/nope/items/").status_code == 404


def test_loop_items_page(operator_a, tenant_a, client_as, monkeypatch):
    from orchestration.console.views import executions as views

    monkeypatch.setattr(views, "ITEM_PAGE_SIZE", 2)
    FAILURES.update({f"console-p{i}": 1 for i in range(5)})
    template = loop_template(tenant_a, [f"p{i}" for i in range(5)], name="paged")
    execution = service.start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    drive(execution.pk)
    loop = TaskExecution.objects.get(execution=execution, parent_task_execution__isnull=True)
    url = f"/console/executions/{execution.pk}/tasks/{loop.pk}/items/"
    first = text(client_as(operator_a).get(url))
    assert first.count('class="loop-item"') == 2 and "Page 1 of 3" in first
    last = text(client_as(operator_a).get(url, {"page": 3}))
    assert last.count('class="loop-item"') == 1 and "&quot;p4&quot;" in last


def test_statuses_are_translated_not_changed(operator_a, failed_loop, client_as):
    client = client_as(operator_a)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"})
    detail = text(client.get(f"/console/executions/{failed_loop.pk}/"))
    assert 'data-status="Failed">失败<' in detail and "status-failed" in detail
    assert "从失败步骤重新运行" in detail
    listing = text(client.get("/console/executions/"))
    assert ">失败<" in listing and '<option value="Failed">失败</option>' in listing
    assert "失败" in text(client.get("/console/"))
    failed_loop.refresh_from_db()
    assert failed_loop.status == "Failed"  # the stored value stays the wire value
