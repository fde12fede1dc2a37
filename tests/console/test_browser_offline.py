"""No page asks another host for anything: a crawl of the console records every request.

The product runs in private clouds without internet; a script, font or stylesheet from a
CDN would leave a page blank or slow there. The crawl follows the console's own links from
the dashboard (templates, the editor, executions, approvals, OrchTasks, vSphere, audit),
opens an execution page, types in the editor, and ends on the API docs. Requests to
another host are refused by the browser (so the crawl never waits on them) and listed.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from orchestration.authorization import SYSTEM
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import VALID, drive
from tests.console.test_browser import log_in, set_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

MAX_PAGES = 60
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def is_local(url: str, own: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript"):
        return True
    return parts.netloc == own or (parts.hostname or "") in LOCAL_HOSTS


def shape(path: str) -> str:
    """One visit per kind of page: ids (any segment with a digit) are the same page."""
    return re.sub(r"/[^/]*\d[^/]*(?=/)", "/<id>", path)


def crawlable(href: str, base: str, own: str) -> str | None:
    """The path of a console link worth visiting (same host, GET-safe), else None."""
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.netloc != own or not parts.path.startswith("/console/") or "logout" in parts.path \
            or parts.path.endswith("/download/"):
        return None
    return parts.path


@pytest.fixture
def some_history(tenant_a, operator_a):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="pause-a-second", content=VALID)
    execution = service.start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    return template, drive(execution.pk)


def test_no_console_page_requests_another_host(page, live_server, screenshot, operator_a, some_history):
    template, execution = some_history
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    requested: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        requested.append(url)
        if is_local(url, own):
            route.continue_()
        else:
            elsewhere.append(f"{url} (from {page.url})")
            route.abort()

    page.context.route("**/*", guard)
    log_in(page, "oscar", "pw-oscar")

    must_visit = [
        "/console/",
        "/console/templates/new/",
        f"/console/templates/{template.pk}/",
        f"/console/templates/{template.pk}/edit/",
        f"/console/executions/{execution.pk}/",
    ]
    queue, seen, shapes = list(must_visit), set(), set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or (shape(path) in shapes and path not in must_visit):
            continue
        seen.add(path)
        shapes.add(shape(path))
        page.goto(path)
        page.wait_for_load_state("load")
        if path.endswith("/templates/new/"):  # the editor: highlight, validate, complete
            set_content(page, VALID.replace("ACS::Sleep", "ACS::Slep"))
            expect(page.locator("#problems")).to_contain_text("did you mean")
        # Downloads (log exports) are files, not pages: a browser saves them instead of loading them.
        links = page.locator("a[href]:not([download])")
        for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            found = crawlable(href, page.url, own)
            if found and found not in seen:
                queue.append(found)

    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    screenshot("offline-crawl-api-docs")

    assert set(must_visit) <= seen
    assert len(seen) >= 12, sorted(seen)  # the crawl really walked the console
    assert any("/static/vendor/codemirror" in url for url in requested)  # the editor's files were fetched
    assert elsewhere == [], elsewhere
