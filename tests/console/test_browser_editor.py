"""The template editor in a real browser: a code editor that knows the template language."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from templates_app.models import Template
from templates_app.services.templates import create_template
from tests.console.conftest import RUNBOOK, VALID
from tests.console.test_browser import log_in, set_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

TYPO = VALID.replace("ACS::Sleep", "ACS::Slep")  # the Action is on line 8


def test_problems_are_marked_on_their_line_with_a_suggestion(page, screenshot, operator_a):
    log_in(page, "oscar", "pw-oscar")
    page.goto("/console/templates/new/")
    expect(page.locator(".CodeMirror-linenumber", has_text="12")).to_be_visible()  # the skeleton has 12 lines
    set_content(page, TYPO)
    problem = page.locator("#problems .problem").first
    expect(problem).to_contain_text("did you mean 'ACS::Sleep'?")
    expect(problem).to_contain_text("line 8, column 5")
    marker = page.locator(".CodeMirror-lint-marker-error")
    expect(marker).to_have_count(1)
    line_of_marker = marker.evaluate("m => m.closest('.CodeMirror-gutter-wrapper').parentElement.innerText")
    assert "Action: ACS::Slep" in line_of_marker
    expect(page.locator(".CodeMirror .cm-atom, .CodeMirror .cm-string").first).to_be_visible()  # highlighted
    screenshot("editor-problem-on-line")

    set_content(page, '{"FormatVersion": "OOS-2019-06-01",\n "Tasks": [\n  {"Name": "a", "Action": "ACS::Sleeep"}]}')
    expect(page.locator(".CodeMirror .cm-property").first).to_have_text('"FormatVersion"')  # JSON colours
    expect(page.locator("#problems .problem").first).to_contain_text("line 3, column 17")

    set_content(page, "Tasks:\n  - Name: 'unclosed\n    Action: ACS::Sleep\n")
    expect(page.locator("#problems")).to_contain_text("invalid YAML at line 4, column 1")
    expect(page.locator("#problems")).to_contain_text("starts at line 2, column 11")


def test_completes_actions_and_their_properties_and_saves(page, screenshot, operator_a):
    log_in(page, "oscar", "pw-oscar")
    page.goto("/console/templates/new/")
    page.get_by_label("Name", exact=True).fill("typed-in-editor")
    set_content(page, "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: wait\n    Action: ")
    editor = page.locator(".CodeMirror")
    editor.evaluate("el => { const cm = el.CodeMirror; cm.focus(); cm.setCursor(cm.lineCount(), 0); }")
    page.keyboard.type("ACS::Sle")
    hints = page.locator(".CodeMirror-hints")
    expect(hints).to_contain_text("ACS::Sleep")
    screenshot("editor-complete-action")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Properties:")
    page.keyboard.press("Enter")
    page.keyboard.type("  Dur")
    expect(hints).to_contain_text("Duration *")
    screenshot("editor-complete-property")
    page.keyboard.press("Enter")
    page.keyboard.type("PT1S")
    expect(page.locator("#problems")).to_contain_text("Valid: 1 task")
    page.get_by_role("button", name="Create template").click()

    expect(page.get_by_role("heading", name="typed-in-editor")).to_be_visible()
    saved = Template.objects.get(name="typed-in-editor").content.replace("\r\n", "\n")  # as forms send it
    assert "Action: ACS::Sleep\n    Properties:\n      Duration: PT1S" in saved


def test_without_javascript_the_textarea_still_validates_on_save(chromium, live_server, operator_a):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto("/console/")
        tab.get_by_label("Username").fill("oscar")
        tab.get_by_label("Password").fill("pw-oscar")
        tab.get_by_role("button", name="Log in").click()
        tab.goto("/console/templates/new/")
        tab.get_by_label("Name", exact=True).fill("no-script")
        tab.get_by_label("Content (YAML or JSON)").fill(TYPO)
        tab.get_by_role("button", name="Create template").click()
        expect(tab.locator("#problems")).to_contain_text("did you mean 'ACS::Sleep'?")
        tab.get_by_label("Content (YAML or JSON)").fill(VALID)
        tab.get_by_role("button", name="Create template").click()
        expect(tab.get_by_role("heading", name="no-script")).to_be_visible()
    finally:
        context.close()


def test_template_page_draws_the_task_graph_before_any_run(page, screenshot, operator_a, tenant_a):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="approve-pause", content=RUNBOOK)
    log_in(page, "oscar", "pw-oscar")
    page.goto(f"/console/templates/{template.pk}/")
    graph = page.locator("svg.graph")
    expect(graph.locator("g.node")).to_have_count(2)
    expect(graph.locator("g.node").first).to_contain_text("ACS::Approve")
    expect(graph.locator("path.edge")).to_have_count(1)
    screenshot("template-graph")


def test_problems_are_shown_in_chinese_in_the_list_and_on_the_line(page, screenshot, operator_a):
    log_in(page, "oscar", "pw-oscar")
    page.get_by_role("button", name="简体中文").click()
    page.goto("/console/templates/new/")
    set_content(page, TYPO.replace("Duration", "Duratoin"))
    problems = page.locator("#problems")
    expect(problems).to_contain_text("未知的动作 'ACS::Slep'；是否要写 'ACS::Sleep'？")
    expect(problems).to_contain_text("第 8 行，第 5 列")
    page.locator(".CodeMirror-lint-marker-error").first.hover()
    tooltip = page.locator(".CodeMirror-lint-tooltip")
    expect(tooltip).to_contain_text("未知的动作")
    expect(tooltip).to_have_css("opacity", "1")  # faded in
    screenshot("editor-problems-zh")
