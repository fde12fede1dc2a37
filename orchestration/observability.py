"""``/metrics``: Prometheus metrics of this machine, for the addresses or the token that settings allow.

What a scrape shows:

* django-prometheus's HTTP and database metrics (``django_http_*``, ``django_db_*``) and
  the engine's own (:mod:`orchestration.engine.metrics`: start latency, round duration,
  lease takeovers, finished executions). Gunicorn workers, qcluster and runengine are
  separate processes; with ``PROMETHEUS_MULTIPROC_DIR`` set for all of a machine's
  processes, prometheus_client's multiprocess collector adds up every one of them, so a
  scrape of any gunicorn worker shows the whole machine. Without it, only the answering
  process's own figures (the embedded default: one web process).
* Figures read from the shared database at scrape time (:class:`DatabaseFigures`): the
  same on every machine, so aggregate them with ``max``, not ``sum``.

Anyone else gets the usual 404, so the endpoint's existence is not advertised.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_q.brokers import get_broker
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from orchestration.availability import UNAVAILABLE_ERRORS, drop_connections
from orchestration.services import monitoring
from vsphere.models import SyncStatus
from vsphere.services.sync import sync_states

# Headers a reverse proxy adds: such a request comes from the proxy's address on behalf of anyone.
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


class DatabaseFigures(Collector):
    """Gauges computed at scrape time from the database and the broker (each one indexed query).

    An unreachable database or broker leaves its gauges out of that scrape instead of
    failing it, so the process metrics still arrive and ``absent()`` alerts can fire.
    """

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._executions()
            yield from self._vcenters()
        except UNAVAILABLE_ERRORS:
            drop_connections()
        try:
            yield GaugeMetricFamily("orchestration_broker_queue_size",
                                    "Messages waiting in the task broker's queue (Redis or the ORM broker).",
                                    value=get_broker().queue_size())
        except UNAVAILABLE_ERRORS:
            drop_connections()

    def _executions(self) -> Iterator[Metric]:
        by_status = GaugeMetricFamily(
            "orchestration_executions",
            "Unfinished executions by status (finished ones: orchestration_executions_finished).", labels=["status"])
        for status, count in monitoring.live_executions_by_status().items():
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily(
            "orchestration_executions_due",
            f"Due executions no worker holds: the engine's backlog (capped at {monitoring.DUE_CAP}).",
            value=monitoring.due_executions(timezone.now()))

    def _vcenters(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily("orchestration_vcenter_sync_lag_seconds",
                                "Seconds since the vCenter's last task sync ended (never synced: absent).",
                                labels=["vcenter", "vsphere_uuid"])
        error = GaugeMetricFamily("orchestration_vcenter_sync_error",
                                  "1 if the vCenter's last sync failed (its reason is on the vCenter), else 0.",
                                  labels=["vcenter", "vsphere_uuid"])
        now = timezone.now()
        for name, uuid, last_sync_at, status in sync_states():
            if last_sync_at is not None:
                lag.add_metric([name, uuid], (now - last_sync_at).total_seconds())
            error.add_metric([name, uuid], 1 if status == SyncStatus.ERROR else 0)
        yield lag
        yield error


class _ThisProcess(Collector):
    """The process's default registry, re-exposed in the per-scrape registry."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


def _registry() -> CollectorRegistry:
    """This machine's processes (multiprocess mode) or this process, plus the database figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseFigures())
    return registry


def may_scrape(request: HttpRequest) -> bool:
    """With the configured bearer token, or directly (not through a proxy) from an allowed address.

    A request a reverse proxy forwarded (it carries one of :data:`PROXY_HEADERS`) comes from
    the proxy's address, often 127.0.0.1, on behalf of anyone: only the token admits it.
    """
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    client = getattr(client, "ipv4_mapped", None) or client
    return any(client in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
