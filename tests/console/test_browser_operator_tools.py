"""In a real browser, as an operator: times and outputs of a run, run again, the logs' tools,
filtering and bulk actions in the executions list, the approvals badge, and a template's schedules."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

import tests.orchestration.engine.conftest  # noqa: F401  (registers Test::Flaky)
from orchestration.authorization import SYSTEM
from orchestration.console import log_lines
from orchestration.models import Execution, ExecutionLog, ExecutionStatus, TimerTrigger
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import RUNBOOK, drive
from tests.console.test_browser import log_in
from tests.console.test_first_minute import requests_elsewhere
from tests.orchestration.engine.conftest import FAILURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

LOOP = {
    "FormatVersion": "OOS-2019-06-01",
    "Parameters": {"Prefix": {"Type": "String", "Default": "vm"}},
    "Tasks": [
        {"Name": "greet", "Action": "Test::Flaky",
         "Properties": {"Key": "b-greet-{{ ACS::ExecutionId }}", "Value": "hello {{ Prefix }}"},
         "Outputs": {"Greeting": {"Type": "String", "ValueSelector": ".Value"}}},
        {"Name": "each", "Action": "Test::Flaky",
         "Properties": {"Failures": 1, "Key": "b-{{ ACS::TaskLoopItem }}"},
         "Loop": {"Items": ["a", "b", "bad", "c"], "Concurrency": 2, "MaxErrors": 1}},
    ],
}


@pytest.fixture
def loop_run(tenant_a, operator_a):
    """A finished run: a task with outputs, and a loop of 4 where 'bad' fails (within MaxErrors)."""
    FAILURES.update({"b-a": 1, "b-b": 1, "b-c": 1})
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="greet-and-loop", content=json.dumps(LOOP))
    execution = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                              parameters={"Prefix": "web"}, safety_check="Skip").pk)
    yield execution
    for key in ("b-a", "b-b", "b-c", "b-bad"):
        FAILURES.pop(key, None)


def test_times_outputs_progress_and_run_again(page, screenshot, live_server, operator_a, loop_run):
    elsewhere = requests_elsewhere(page, live_server)
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/executions/{loop_run.pk}/")
    duration = page.locator("#exec-duration .duration")
    expect(duration).to_have_text(re.compile(r"^\d+ (ms|s)|\d+ min"))
    expect(duration).to_have_attribute("title", re.compile(r"UTC → .* UTC$"))
    exact = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$")
    expect(page.locator("#exec-start time")).to_have_attribute("title", exact)
    loop_row = page.locator("tr", has=page.locator("code", has_text="each"))
    expect(loop_row.locator(".progress-text")).to_have_text("3 done · 1 failed · 4 total")
    expect(loop_row.locator(".progress-done")).to_have_attribute("style", "width: 75.0%")
    outputs = page.locator("details.task-outputs", has=page.get_by_text("Outputs of greet"))
    expect(outputs.locator("pre")).to_be_hidden()
    outputs.locator("summary").click()
    expect(outputs.locator("pre")).to_contain_text('"Greeting": "hello web"')
    screenshot("execution-times-progress-outputs")

    page.get_by_role("button", name="Run again with the same parameters").click()
    expect(page).not_to_have_url(re.compile(loop_run.pk))
    again = Execution.objects.exclude(pk=loop_run.pk).get()
    expect(page).to_have_url(re.compile(f"/console/executions/{again.pk}/$"))
    assert again.parameters == {"Prefix": "web"} and again.template_version == loop_run.template_version
    assert elsewhere == []


def test_logs_download_raw_permalink_grow_and_page_back(page, screenshot, live_server, operator_a, loop_run):
    ExecutionLog.objects.bulk_create(ExecutionLog(execution=loop_run, created_at=loop_run.end_date,
                                                  message=f"bulk line {i}") for i in range(600))
    total = ExecutionLog.objects.filter(execution=loop_run).count()
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/executions/{loop_run.pk}/")
    lines = page.locator("#logs li.log")
    expect(lines).to_have_count(log_lines.WINDOW)
    while page.get_by_role("button", name="Show older lines").count():
        shown = lines.count()
        page.get_by_role("button", name="Show older lines").click()
        expect(lines).not_to_have_count(shown)
    expect(lines).to_have_count(total)
    expect(page.get_by_role("button", name="Show older lines")).to_have_count(0)

    with page.expect_download() as text_download:
        page.get_by_role("link", name="Download text").click()
    assert text_download.value.suggested_filename == f"{loop_run.pk}.log"
    assert len(Path(text_download.value.path()).read_text(encoding="utf-8").splitlines()) == total
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download JSON lines").click()
    records = [json.loads(line) for line in Path(json_download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert len(records) == total and records[-1]["message"] == "bulk line 599"

    pane = page.locator("#logs")
    before = pane.bounding_box()["height"]
    page.get_by_role("button", name="Expand").click()
    expect(page.get_by_role("button", name="Expand")).to_have_attribute("aria-pressed", "true")
    assert pane.bounding_box()["height"] > before * 3

    target = ExecutionLog.objects.get(execution=loop_run, message="bulk line 10")
    page.goto(f"/console/executions/{loop_run.pk}/?line={target.pk}#log-{target.pk}")
    line = page.locator(f"#log-{target.pk}")
    expect(line).to_be_in_viewport()
    expect(line).to_have_css("outline-style", "solid")
    expect(page.get_by_role("button", name="Show newer lines")).to_be_visible()
    line.hover()
    expect(line.get_by_role("link", name="Link to this line")).to_have_attribute(
        "href", f"/console/executions/{loop_run.pk}/?line={target.pk}#log-{target.pk}")
    screenshot("execution-log-permalink")

    raw = page.context.new_page()
    raw.goto(f"/console/executions/{loop_run.pk}/logs/raw/")
    expect(raw.locator("body")).to_contain_text("bulk line 599")
    raw.close()


def test_filter_search_bulk_cancel_and_delete(page, screenshot, tenant_a, operator_a, admin_a):
    nap = create_template(tenant=tenant_a, actor=SYSTEM, name="nap", content=RUNBOOK.replace("approve", "ask"))
    old = service.start_execution(tenant=tenant_a, user=operator_a, template=nap, parameters={"Target": "vm-1"})
    Execution.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    waiting = [service.start_execution(tenant=tenant_a, user=operator_a, template=nap,
                                       parameters={"Target": f"vm-{i}"}) for i in (2, 3)]
    for e in waiting:
        drive(e.pk)
    by_admin = drive(service.start_execution(tenant=tenant_a, user=admin_a, template=nap,
                                             parameters={"Target": "vm-9"}).pk)
    log_in(page, "oscar", "pw-oscar")
    expect(page.locator("nav.sidenav .nav-badge")).to_have_text("3")  # the old run was never driven to its approval

    page.locator("nav.sidenav").get_by_role("link", name=re.compile("Executions")).click()
    rows = page.locator("#execution-results tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_label("Started by").fill(admin_a.username)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(by_admin.pk)
    page.get_by_label("Started by").fill("")
    page.get_by_label("From").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    expect(rows).to_have_count(3)
    page.get_by_label("Name or execution id").fill(waiting[0].pk)
    expect(rows).to_have_count(1)
    page.get_by_label("Name or execution id").fill("")
    expect(rows).to_have_count(3)

    for e in waiting:
        page.get_by_label(f"Select {e.pk}").check()
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.get_by_role("button", name="Cancel selected…").click()
    dialog = page.locator("#confirm-dialog")  # the one confirmation every destructive action uses
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Cancel 2 selected executions?")
    screenshot("executions-bulk-confirm")
    dialog.get_by_role("button", name="Go back").click()
    expect(dialog).to_be_hidden()
    assert all(not Execution.objects.get(pk=e.pk).cancel_requested for e in waiting)
    page.get_by_role("button", name="Cancel selected…").click()
    dialog.get_by_role("button", name="Cancel them").click()
    expect(page.locator(".messages")).to_contain_text("Asked 2 executions to cancel.")
    expect(page).to_have_url(re.compile(r"since="))  # the filters survive the round trip
    for e in waiting:
        assert drive(e.pk).status == ExecutionStatus.CANCELLED

    page.reload()
    for e in waiting:
        page.get_by_label(f"Select {e.pk}").check()
    page.get_by_role("button", name="Delete selected…").click()
    expect(dialog).to_contain_text("Delete 2 selected executions")
    dialog.get_by_role("button", name="Delete them").click()
    expect(page.locator(".messages")).to_contain_text("Deleted 2 executions.")
    expect(rows).to_have_count(1)
    expect(page.locator("nav.sidenav .nav-badge")).to_have_text("1")
    screenshot("executions-after-bulk-delete")
    assert not Execution.objects.filter(pk__in=[e.pk for e in waiting]).exists()


def test_schedule_a_template_pause_and_delete(page, screenshot, tenant_a, operator_a):
    runbook = create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/templates/{runbook.pk}/")
    schedules = page.locator("#schedules")
    expect(schedules).to_contain_text("Nothing scheduled.")
    schedules.get_by_role("link", name="New schedule").click()
    page.get_by_label("Schedule name").fill("weekday-mornings")
    page.get_by_label("Cron expression (UTC)").fill("0 25 * * 1-5")
    page.get_by_label("Target").fill("vm-42")
    page.get_by_role("button", name="Create schedule").click()
    error = page.locator(".field-error").first
    expect(error).to_contain_text("is not a cron expression")
    screenshot("schedule-bad-cron")
    page.get_by_label("Cron expression (UTC)").fill("0 3 * * 1-5")
    page.get_by_role("button", name="Create schedule").click()

    expect(page.locator(".messages")).to_contain_text("Schedule “weekday-mornings” created.")
    row = schedules.locator("tr[data-schedule='weekday-mornings']")
    expect(row.locator("time")).to_have_count(3)
    expect(row.locator("time").first).to_have_text(re.compile(r"^\w+ \d+ \w+ 03:00$"))
    expect(row.locator("time").first).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d 03:00 UTC$"))
    screenshot("template-schedules")
    trigger = TimerTrigger.objects.get()
    assert trigger.parameters["Target"] == "vm-42" and trigger.next_run_at.hour == 3

    row.get_by_role("button", name="Pause").click()
    expect(row).to_contain_text("Paused")
    expect(row.locator("time")).to_have_count(0)
    row.get_by_role("button", name="Resume").click()
    expect(row.locator("time")).to_have_count(3)
    row.get_by_role("button", name="Delete").click()
    dialog = page.locator("#confirm-dialog")  # the console's one confirmation, not the browser's
    expect(dialog).to_contain_text("Delete the schedule")
    dialog.get_by_role("button", name="Delete").click()
    expect(schedules).to_contain_text("Nothing scheduled.")
    assert not TimerTrigger.objects.exists()
