"""The execution timeline: task runs and loop items as coloured bars, bounded for big loops."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

import tests.orchestration.engine.conftest  # noqa: F401  (registers Test::Flaky)
from orchestration.authorization import SYSTEM
from orchestration.models import ExecutionStatus, TaskExecution, TaskStatus
from orchestration.services import execution_timeline
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import drive
from tests.console.test_browser import log_in
from tests.orchestration.engine.conftest import FAILURES

pytestmark = pytest.mark.django_db(transaction=True)

expect = pytest.importorskip("playwright.sync_api").expect

ITEMS = [f"vm-{i}" for i in range(1, 12)] + ["vm-bad"]


def prepare_then_loop(tenant):
    body = {
        "FormatVersion": "OOS-2019-06-01",
        "Tasks": [
            {"Name": "prepare", "Action": "ACS::Sleep", "Properties": {"Duration": "PT1S"}},
            {
                "Name": "each",
                "Action": "Test::Flaky",
                "Properties": {"Failures": 1, "Key": "timeline-{{ ACS::TaskLoopItem }}"},
                "Loop": {"Items": ITEMS, "Concurrency": 4, "MaxErrors": 0},
            },
        ],
    }
    return create_template(tenant=tenant, actor=SYSTEM, name="prepare-then-loop", content=json.dumps(body))


@pytest.fixture
def loop_run(tenant_a, operator_a):
    """Twelve items after a short pause; 'vm-bad' fails, so the loop and the execution fail."""
    FAILURES.update({f"timeline-{item}": 1 for item in ITEMS if item != "vm-bad"})
    FAILURES.pop("timeline-vm-bad", None)
    execution = service.start_execution(
        tenant=tenant_a, user=operator_a, template=prepare_then_loop(tenant_a), safety_check="Skip")
    execution = drive(execution.pk)
    assert execution.status == ExecutionStatus.FAILED
    yield execution
    for item in ITEMS:
        FAILURES.pop(f"timeline-{item}", None)


@pytest.mark.browser
def test_execution_page_draws_a_timeline_of_tasks_and_items(page, screenshot, operator_a, loop_run):
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/executions/{loop_run.pk}/")
    lanes = page.locator("svg.timeline g.lane")
    expect(lanes.and_(page.locator("[data-kind='task']"))).to_have_count(2)
    items = lanes.and_(page.locator("[data-kind='item']"))
    expect(items).to_have_count(execution_timeline.ITEMS_SHOWN)
    expect(items.first).to_contain_text("vm-1")  # an item is named by its value
    rest = lanes.and_(page.locator("[data-kind='rest']"))
    expect(rest).to_contain_text(f"+ {len(ITEMS) - execution_timeline.ITEMS_SHOWN} more items")
    expect(page.locator("svg.timeline g[data-kind='task'][data-status='Success'] rect.bar-success")).to_have_count(1)
    expect(page.locator("svg.timeline g[data-kind='task'][data-status='Failed'] rect.bar-failed")).to_have_count(1)
    screenshot("execution-timeline")
    rest.locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("each")


def test_a_loop_of_ten_thousand_items_draws_bounded_lanes(loop_run, django_assert_max_num_queries):
    loop = loop_run.task_executions.get(task_name="each", parent_task_execution__isnull=True)
    start = timezone.now()
    TaskExecution.objects.bulk_create(
        TaskExecution(
            id=f"{loop.pk}-x{i}", execution=loop_run, task_name="each", task_action="Test::Flaky",
            parent_task_execution=loop, loop_index=1000 + i, status=TaskStatus.SUCCESS,
            start_date=start, end_date=start + dt.timedelta(seconds=1),
        )
        for i in range(10_000)
    )
    with django_assert_max_num_queries(3):  # top-level tasks, one aggregate, the first items of the one loop
        built = execution_timeline.build(loop_run)
    assert len(built.lanes) == 2 + execution_timeline.ITEMS_SHOWN + 1
    rest = built.lanes[-1]
    assert rest.kind == "rest"
    assert rest.count == 10_000 + len(ITEMS) - execution_timeline.ITEMS_SHOWN
    assert rest.counts[TaskStatus.FAILED] == 1
