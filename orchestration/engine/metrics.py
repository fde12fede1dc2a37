"""The engine's own Prometheus metrics, observed where the work happens.

Rounds run in qcluster workers and the ticker in ``runengine``, not in the web process
that answers ``/metrics``. With ``PROMETHEUS_MULTIPROC_DIR`` set (production, see the
README's "Production and scale-out") every process of a machine writes its samples
there and that machine's ``/metrics`` adds them up; without it each process keeps its
own and ``/metrics`` shows only the web process's. Figures read from the database at
scrape time (executions by status, queue depth, vCenter sync) are not here but in
:mod:`orchestration.observability`.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from prometheus_client import Counter, Histogram

START_LATENCY = Histogram(
    "orchestration_execution_start_latency_seconds",
    "From an execution's creation to its first engine round (Started or Queued to Running).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
ROUND_DURATION = Histogram(
    "orchestration_engine_round_duration_seconds",
    "One engine round: load, decide and commit under the execution's row lock.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LEASE_TAKEOVERS = Counter(
    "orchestration_engine_lease_takeovers",
    "Executions a worker took over because their holder's lease had expired (a dead or stalled worker).",
)
EXECUTIONS_FINISHED = Counter(
    "orchestration_executions_finished",
    "Executions that ended, by final status (counted when the end is committed).",
    ["status"],
)


def execution_started(created_at: dt.datetime, started_at: dt.datetime) -> None:
    """Observe the start latency once the round that starts the execution commits."""
    latency = max(0.0, (started_at - created_at).total_seconds())
    transaction.on_commit(lambda: START_LATENCY.observe(latency))


def execution_finished(status: str) -> None:
    transaction.on_commit(lambda: EXECUTIONS_FINISHED.labels(status=status).inc())
