"""The dashboard's trends section is drawn once a minute per tenant and kept, in each viewer's language."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orchestration.authorization import SYSTEM
from orchestration.services import executions as service
from templates_app.services.templates import create_template
from tests.console.conftest import VALID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def trend_queries(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/console/").content.decode()
    return page, sum("PERCENTILE_CONT" in q["sql"] for q in queries.captured_queries)


def test_trends_are_drawn_once_and_kept_per_language(tenant_a, operator_a, admin_a, client_as):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="nightly", content=VALID)
    service.start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    english = client_as(operator_a)
    page, aggregated = trend_queries(english)
    assert "Executions over the last 30 days" in page and 'data-status="Queued"' in page and aggregated == 1
    page, aggregated = trend_queries(client_as(admin_a))  # another member of the tenant: the kept section
    assert "Executions over the last 30 days" in page and 'data-status="Queued"' in page and aggregated == 0
    chinese = client_as(operator_a)
    chinese.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page, _ = trend_queries(chinese)  # not the section kept for English readers
    assert "最近 30 天的执行" in page and "Executions over the last" not in page
