"""Layout in a real browser: the login card has room, long names never widen a page, and
Chinese status pills and table headers stay on one line. Each test measures boxes."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from orchestration.services import executions as execution_service
from templates_app.services.templates import create_template
from tests.console.conftest import VALID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

VIEWPORT = 1360
LONG = "x" * 40 + "-very-long-runbook-name-" + "y" * 136  # 200 characters, few break points


def log_in(page, username: str = "oscar", password: str = "pw-oscar") -> None:
    page.goto("/console/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_login_card_has_room_for_its_fields(page, screenshot):
    page.goto("/console/login/")
    card = page.locator("section.card").bounding_box()
    field = page.get_by_label("Username").bounding_box()
    screenshot("layout-login")
    assert card["width"] >= 320, card
    assert field["width"] >= 250, field
    # centred in the viewport, not squeezed into the (absent) sidebar column
    assert abs((card["x"] + card["width"] / 2) - VIEWPORT / 2) < 40, card


@pytest.fixture
def long_named(tenant_a, operator_a):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name=LONG, content=VALID)
    execution = execution_service.start_execution(
        tenant=tenant_a, user=operator_a, template=template, parameters={}, description="d" * 200)
    return template, execution


def test_two_hundred_character_names_do_not_widen_pages(page, screenshot, long_named):
    template, execution = long_named
    log_in(page)
    pages = {
        "template-list": "/console/templates/",
        "template-detail": f"/console/templates/{template.pk}/",
        "template-run": f"/console/templates/{template.pk}/run/",
        "execution-list": "/console/executions/",
        "execution-detail": f"/console/executions/{execution.pk}/",
        "dashboard": "/console/",
    }
    widths = {}
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("main")).to_contain_text(LONG[:40])
        widths[name] = page_width(page)
        if name in ("execution-list", "template-detail"):
            screenshot(f"layout-long-name-{name}")
    assert all(w <= VIEWPORT for w in widths.values()), widths
    # the name wraps inside its cell: shown whole, never cut
    page.goto("/console/executions/")
    cell = page.locator("td", has_text=LONG[:40]).first
    assert LONG in cell.inner_text()
    assert cell.bounding_box()["width"] < VIEWPORT / 2


# How many lines an element's text takes: the distinct tops of its text's line boxes
# (a table cell's own height is its row's, so it cannot tell).
LINES = """els => els.map(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  return [e.innerText, tops.size];
})"""


def test_chinese_pills_and_headers_stay_on_one_line(page, screenshot, long_named):
    log_in(page)
    page.get_by_role("button", name="简体中文").click()
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto("/console/executions/")
    expect(page.locator("h1")).to_have_text("执行")
    screenshot("layout-zh-executions")
    lines = page.locator(".table th, .table .status").evaluate_all(LINES)
    assert len(lines) >= 7, lines
    wrapped = [(text, n) for text, n in lines if n > 1]
    assert wrapped == [], lines
