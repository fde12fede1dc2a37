"""The heartbeat: a thread of each worker process that renews the leases it holds.

Rounds renew the lease as they commit (:func:`.leases.save_fenced`), but a worker also holds
an execution between rounds — calling a vSphere or web-hook action that may take
minutes — so a thread renews every ``ENGINE_HEARTBEAT_SECONDS`` whatever the worker
is doing. A dead process stops beating and its leases run out within
``ENGINE_LEASE_SECONDS``; a live one never loses an execution to a slow call. A
renewal that finds the lease gone (another worker took over after this process was
paused) stops renewing it; the worker's own next write is fenced out.

The thread uses its own database connection, started in the process that holds the
lease (never inherited across django-q2's fork), and only touches the database for
holds older than a beat: a short ``advance`` costs it nothing.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from orchestration.availability import Outage, drop_connections

from . import leases

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self) -> None:
        self._held: dict[str, tuple[str, float]] = {}  # execution id -> (owner, last renewed, monotonic)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)
        self._thread.start()

    def hold(self, execution_id: str, owner: str) -> None:
        with self._lock:
            self._held[execution_id] = (owner, time.monotonic())

    def drop(self, execution_id: str) -> None:
        with self._lock:
            self._held.pop(execution_id, None)

    def _due(self) -> list[tuple[str, str]]:
        cutoff = time.monotonic() - leases.HEARTBEAT_SECONDS
        with self._lock:
            return [(eid, owner) for eid, (owner, renewed) in self._held.items() if renewed <= cutoff]

    def _run(self) -> None:
        outage = Outage("lease heartbeat", max_delay=leases.HEARTBEAT_SECONDS)
        while True:
            time.sleep(leases.HEARTBEAT_SECONDS / 2)
            due = self._due()
            if not due:
                continue
            try:
                for execution_id, owner in due:
                    self._renew(execution_id, owner)
            except Exception as exc:  # the database away: keep beating; the lease may run out meanwhile
                time.sleep(outage.failed(exc))
                continue
            outage.succeeded()
            with self._lock:
                idle = not self._held
            if idle:
                drop_connections()  # no connection kept open while the worker has nothing

    def _renew(self, execution_id: str, owner: str) -> None:
        renewed = leases.renew(execution_id, owner)
        with self._lock:
            if self._held.get(execution_id, (None,))[0] != owner:
                return  # released meanwhile
            if renewed:
                self._held[execution_id] = (owner, time.monotonic())
            else:
                logger.warning("lease of execution %s was taken over; no longer renewing it", execution_id)
                self._held.pop(execution_id, None)


_beat: Heartbeat | None = None
_beat_pid = 0
_beat_lock = threading.Lock()


def _process_heartbeat() -> Heartbeat:
    global _beat, _beat_pid
    with _beat_lock:
        if _beat is None or _beat_pid != os.getpid():  # threads do not survive a fork
            _beat, _beat_pid = Heartbeat(), os.getpid()
        return _beat


@contextmanager
def beating(execution_id: str, owner: str) -> Iterator[None]:
    """Renew ``owner``'s lease on ``execution_id`` for as long as the block runs."""
    beat = _process_heartbeat()
    beat.hold(execution_id, owner)
    try:
        yield
    finally:
        beat.drop(execution_id)
