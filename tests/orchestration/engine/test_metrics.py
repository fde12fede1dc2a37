"""``/metrics``: who may scrape it, and that its figures follow what the engine and the sync did.

In-process on the real database and the vSphere simulator: executions run through the
same ``advance`` the workers call, so the engine's histograms and counters are observed
in this process (the multiprocess aggregation is exercised by test_scale_out.py).
"""
from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from orchestration.models import Execution, ExecutionStatus
from orchestration.services import monitoring
from orchestration.services.executions import start_execution
from tests.simulator import make_vcenter
from vsphere.models import VCenter
from vsphere.services.sync import sync_vcenter

from .conftest import drive, tpl

pytestmark = pytest.mark.django_db

NOOP_LOOP = tpl({"Name": "each", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"},
                 "Loop": {"Items": [1, 2, 3], "Concurrency": 3}})


def scrape(**headers) -> dict[tuple[str, tuple], float]:
    response = Client().get("/metrics", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode()) for s in family.samples}


def value(figures: dict, name: str, **labels) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def run_noop(tenant, user, make_template) -> Execution:
    execution = start_execution(tenant=tenant, user=user, template=make_template(NOOP_LOOP), safety_check="Skip")
    return drive(execution)


# -- access ------------------------------------------------------------------------------

def test_localhost_may_scrape_and_sees_http_db_and_engine_metrics(tenant_a):
    Client().get("/healthz")
    names = {name for name, _ in scrape()}
    for expected in ("django_http_requests_total_by_method_total", "django_http_responses_total_by_status_total",
                     "django_db_execute_total", "orchestration_executions", "orchestration_executions_due",
                     "orchestration_broker_queue_size", "orchestration_execution_start_latency_seconds_count",
                     "orchestration_engine_round_duration_seconds_count",
                     "orchestration_engine_lease_takeovers_total"):
        assert expected in names, expected


@pytest.mark.parametrize("address", ["10.20.30.40", "192.168.1.5", "2001:db8::1"])
def test_other_addresses_get_404(address):
    assert Client().get("/metrics", REMOTE_ADDR=address).status_code == 404


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"])
def test_a_proxied_request_needs_the_token_even_from_localhost(header):
    """Behind a reverse proxy every request comes from the proxy's address."""
    assert Client().get("/metrics", **{header: "203.0.113.9"}).status_code == 404


@override_settings(METRICS_TOKEN="s3cret-scraper-token")
def test_the_bearer_token_admits_any_address():
    far = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token", **far).status_code == 200
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **far).status_code == 404
    assert Client().get("/metrics", **far).status_code == 404


def test_allowed_networks_come_from_settings():
    with override_settings(METRICS_ALLOWED_IPS=[ipaddress.ip_network("10.0.0.0/8")]):
        assert Client().get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
        assert Client().get("/metrics").status_code == 404  # localhost is no longer listed


def test_post_is_refused():
    assert Client().post("/metrics").status_code == 405


# -- engine figures ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)  # observed when the engine's transactions commit
def test_a_run_is_counted_started_finished_and_timed(tenant_a, operator_a, make_template):
    before = scrape()
    run_noop(tenant_a, operator_a, make_template)
    failed = start_execution(tenant=tenant_a, user=operator_a, safety_check="Skip", template=make_template(
        tpl({"Name": "bad", "Action": "Test::Flaky", "Properties": {"Failures": 1}})))
    assert drive(failed).status == ExecutionStatus.FAILED
    after = scrape()

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("orchestration_execution_start_latency_seconds_count") == 2
    assert grew("orchestration_executions_finished_total", status="Success") == 1
    assert grew("orchestration_executions_finished_total", status="Failed") == 1
    assert grew("orchestration_engine_round_duration_seconds_count") >= 2
    assert grew("orchestration_engine_round_duration_seconds_sum") > 0


def test_live_executions_by_status_and_the_backlog(tenant_a, operator_a, make_template):
    template = make_template(NOOP_LOOP)
    started = [start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
               for _ in range(3)]
    Execution.objects.filter(pk=started[0].pk).update(status=ExecutionStatus.WAITING, wake_at=None)
    # One is held by a worker whose lease is still valid: not part of the backlog.
    Execution.objects.filter(pk=started[1].pk).update(
        wake_at=timezone.now() - dt.timedelta(seconds=1), lease_owner="busy",
        lease_expires_at=timezone.now() + dt.timedelta(minutes=1))
    Execution.objects.filter(pk=started[2].pk).update(wake_at=timezone.now() - dt.timedelta(seconds=1))
    run_noop(tenant_a, operator_a, make_template)  # finished: not a live status

    figures = scrape()
    assert value(figures, "orchestration_executions", status="Queued") == 2
    assert value(figures, "orchestration_executions", status="Waiting") == 1
    assert value(figures, "orchestration_executions", status="Running") == 0
    assert value(figures, "orchestration_executions_due") == 1


def test_a_takeover_of_an_expired_lease_is_counted(tenant_a, operator_a, make_template):
    execution = start_execution(tenant=tenant_a, user=operator_a, template=make_template(NOOP_LOOP),
                                safety_check="Skip")
    Execution.objects.filter(pk=execution.pk).update(
        lease_owner="a-dead-worker", lease_expires_at=timezone.now() - dt.timedelta(seconds=5),
        wake_at=timezone.now() - dt.timedelta(seconds=5))
    before = value(scrape(), "orchestration_engine_lease_takeovers_total")
    assert drive(execution).status == ExecutionStatus.SUCCESS
    assert value(scrape(), "orchestration_engine_lease_takeovers_total") - before == 1
    # An ordinary start (free lease) is not a takeover.
    run_noop(tenant_a, operator_a, make_template)
    assert value(scrape(), "orchestration_engine_lease_takeovers_total") - before == 1


def test_the_live_status_count_is_served_by_an_index():
    """The table holds a million finished executions in production: the scrape must not scan it."""
    sql, params = (Execution.objects.filter(status__in=monitoring.LIVE_STATUSES).order_by()
                   .values_list("status").query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index" in plan and "Seq Scan" not in plan, plan


# -- vCenter sync ----------------------------------------------------------------------------

def test_vcenter_sync_lag_and_errors(vcsim):
    good = make_vcenter(vcsim, name="sim-ok")
    down = VCenter.objects.create(name="lab-down", host="127.0.0.1", port=9, user="u", password="p", protocol="http")
    VCenter.objects.create(name="never-synced", host="127.0.0.1", port=9, user="u", password="p", protocol="http")
    assert sync_vcenter(good, inventory=False)["ok"]
    assert not sync_vcenter(down, inventory=False)["ok"]
    good.refresh_from_db()
    figures = scrape()

    assert value(figures, "orchestration_vcenter_sync_error", vcenter="sim-ok", vsphere_uuid=good.vsphere_uuid) == 0
    assert value(figures, "orchestration_vcenter_sync_error", vcenter="lab-down", vsphere_uuid="") == 1
    lag = value(figures, "orchestration_vcenter_sync_lag_seconds", vcenter="sim-ok", vsphere_uuid=good.vsphere_uuid)
    assert 0 <= lag < 60
    assert ("orchestration_vcenter_sync_lag_seconds", (("vcenter", "never-synced"), ("vsphere_uuid", ""))) \
        not in figures
