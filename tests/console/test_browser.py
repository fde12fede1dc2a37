"""The console in a real browser: the journeys an operator makes, end to end."""
from __future__ import annotations

import re

import pytest

from orchestration.authorization import SYSTEM
from templates_app.models import Template
from tests.console.conftest import VALID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def log_in(page, username: str, password: str) -> None:
    page.goto("/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def set_content(page, text: str) -> None:
    """Replace the template editor's text as typing would (CodeMirror keeps the form field in step)."""
    page.locator(".CodeMirror").evaluate("(el, text) => el.CodeMirror.setValue(text)", text)


def test_write_a_template_fix_it_version_it_and_compare(page, screenshot, operator_a):
    log_in(page, "oscar", "pw-oscar")
    screenshot("dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", name="Templates", level=1)).to_be_visible()
    screenshot("template-list")

    page.get_by_role("link", name="New template").click()
    page.get_by_label("Name", exact=True).fill("pause-and-go")
    set_content(page, VALID.replace("ACS::Sleep", "ACS::Slep"))
    problem = page.locator("#problems .problem").first
    expect(problem.locator(".place")).to_have_text("Tasks[0].Action")
    screenshot("template-editor-error")

    set_content(page, VALID)
    expect(page.locator("#problems")).to_contain_text("Valid")
    expect(page.locator("#problems .problem")).to_have_count(0)
    page.get_by_role("button", name="Create template").click()

    expect(page.get_by_role("heading", name="pause-and-go")).to_be_visible()
    expect(page.get_by_role("heading", name="Content of v1")).to_be_visible()
    assert Template.objects.get(name="pause-and-go").version == 1

    page.get_by_role("link", name="Edit (new version)").click()
    set_content(page, VALID.replace("PT1S", "PT5S"))
    expect(page.locator("#problems")).to_contain_text("Valid")
    page.get_by_label("What changed").fill("pause longer")
    page.get_by_role("button", name="Save new version").click()
    expect(page.get_by_role("heading", name="Content of v2")).to_be_visible()
    screenshot("template-detail")

    page.get_by_role("button", name="Compare versions").click()
    expect(page).to_have_url(re.compile(r"/diff/\?(?=.*old=v1)(?=.*new=v2)"))
    expect(page.locator("pre .diff-del")).to_contain_text("PT1S")
    expect(page.locator("pre .diff-add")).to_contain_text("PT5S")
    screenshot("template-diff")


def test_builtin_is_read_only_with_a_run_button(page, operator_a):
    log_in(page, "oscar", "pw-oscar")
    page.get_by_role("link", name="ACS-VSphere-RebootAndWait").first.click()
    expect(page.get_by_role("link", name="Run", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Edit (new version)")).to_have_count(0)
    expect(page.get_by_role("heading", name="Required permissions")).to_be_visible()


def test_switch_language_to_chinese(page, screenshot, operator_a):
    log_in(page, "oscar", "pw-oscar")
    page.get_by_role("button", name="简体中文").click()
    nav = page.locator("nav.sidenav")
    expect(nav).to_contain_text("仪表盘")
    expect(nav).to_contain_text("模板")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    screenshot("dashboard-zh")
    page.get_by_role("button", name="English").click()
    expect(nav).to_contain_text("Dashboard")


def test_keyboard_reaches_the_navigation(page, operator_a):
    log_in(page, "oscar", "pw-oscar")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")


@pytest.fixture
def workers():
    """A real django-q2 worker and the engine ticker, against the live server's database."""
    from tests.orchestration.engine.workers import Processes

    procs = Processes()
    procs.start_worker()
    procs.start_ticker()
    yield procs
    procs.stop_all()


@pytest.fixture
def runbook(tenant_a):
    from templates_app.services.templates import create_template
    from tests.console.conftest import RUNBOOK

    return create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)


def test_run_with_parameters_approve_and_watch_success(page, screenshot, operator_a, runbook, workers):
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/templates/{runbook.pk}/")
    page.get_by_role("link", name="Run", exact=True).click()
    expect(page.get_by_role("heading", name="Run approve-pause")).to_be_visible()

    target = page.get_by_label("Target")
    target.fill("db-1")  # the browser refuses what AllowedPattern rejects
    assert target.evaluate("el => el.validity.patternMismatch") is True
    target.fill("vm-42")
    page.get_by_label("Size").select_option("large")
    screenshot("run-form")
    page.get_by_role("button", name="Start execution").click()

    expect(page.locator("#live [data-status]")).to_have_text("Waiting", timeout=20_000)
    expect(page.locator("#live")).to_contain_text("Go ahead with vm-42?")
    screenshot("execution-waiting")
    detail_url = page.url

    page.get_by_role("link", name="Approvals").first.click()
    expect(page.get_by_role("heading", name="Approvals", level=1)).to_be_visible()
    screenshot("approvals")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing is waiting for approval.")).to_be_visible()

    page.goto(detail_url)
    expect(page.locator("#live [data-status]")).to_have_text("Success", timeout=20_000)
    expect(page.locator("svg.graph .node-success")).to_have_count(2)
    expect(page.locator("#logs")).to_contain_text("Approve by oscar")
    screenshot("execution-success")


def test_cancel_a_running_execution(page, operator_a, runbook, workers):
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/templates/{runbook.pk}/run/")
    page.get_by_label("Target").fill("vm-1")
    page.get_by_role("button", name="Start execution").click()
    expect(page.locator("#live [data-status]")).to_have_text("Waiting", timeout=20_000)
    page.get_by_role("button", name="Cancel execution").click()
    expect(page.locator("#live [data-status]")).to_have_text("Cancelled", timeout=20_000)
