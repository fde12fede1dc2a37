"""Stopping a worker process cleanly: SIGTERM hands back what the worker holds.

django-q2 leaves its worker processes with the default SIGTERM action, so a SIGTERM
to the process group (systemd, honcho, a container stop) killed them mid-``advance``,
and their leases stayed held until they expired. Each worker process installs
:func:`on_worker_start`'s handler when it starts: SIGTERM raises :class:`WorkerShutdown`
wherever the worker is; ``advance`` hands its lease back (due at once, so another
worker resumes it) and the process exits with status 0. Stopping mid-round is safe for
the same reason a crash is: every transition is a committed row change and the round
in flight rolls back.

django-q2's sentinel (the process that supervises the workers) also dies on SIGTERM,
and if it dies holding the lock of its stop event, the ``qcluster`` main process
blocks forever on that lock. :class:`GracefulSentinel` turns SIGTERM into a stop that
cannot hang: it passes SIGTERM on to its workers (which hand back and exit), drains the
bounded task queue they no longer read (else django-q2's stop blocks putting its stop
pills into a full queue), and runs django-q2's graceful stop; the pusher and monitor it
forks inherit that handler.

A SIGTERM to the ``qcluster`` main process alone is django-q2's own graceful stop: the
workers finish the ``advance`` they are in (at most ``runner.MAX_SECONDS``) and exit.
"""
from __future__ import annotations

import os
import queue
import signal
import threading

from django_q import cluster


class WorkerShutdown(SystemExit):
    """Raised in a worker process by SIGTERM; exits the process quietly (status 0)."""

    def __init__(self) -> None:
        super().__init__(0)


def _raise_shutdown(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough while handing back
    raise WorkerShutdown()


def on_worker_start(sender=None, proc_name: str = "", **kwargs) -> None:
    """django-q2 ``post_spawn`` receiver: runs in each new worker process."""
    signal.signal(signal.SIGTERM, _raise_shutdown)


class GracefulSentinel(cluster.Sentinel):
    """django-q2's sentinel, stopping gracefully on SIGTERM instead of dying."""

    def __init__(self, stop_event, start_event, cluster_id, broker=None, timeout=None, start=True) -> None:
        super().__init__(stop_event, start_event, cluster_id, broker, timeout, start=False)
        signal.signal(signal.SIGTERM, self._stop_on_signal)
        if start:
            self.start()

    def stop(self) -> None:
        # The pusher checks its stop event each time the broker's dequeue returns; a
        # listening broker waits for a NOTIFY, so send one rather than wait for its fallback.
        self.event_out.set()
        wake = getattr(self.broker, "wake", None)
        if wake is not None:
            try:
                wake()
            except Exception:  # the database away: the pusher's wait ends by itself
                pass
        super().stop()

    def _stop_on_signal(self, signum, frame) -> None:
        # Setting the event takes its lock, which the interrupted thread may hold: do it
        # from another thread, which waits for the lock instead of deadlocking on it.
        threading.Thread(target=self._stop_now, daemon=True).start()

    def _stop_now(self) -> None:
        for process in list(self.pool):
            try:
                os.kill(process.pid, signal.SIGTERM)
            except (OSError, TypeError):  # already gone, or not started
                pass
        self.stop_event.set()
        while True:  # until this process exits: the stopped workers read nothing any more
            try:
                self.task_queue.get(timeout=0.2)
            except queue.Empty:
                continue
            except (OSError, ValueError, EOFError):  # the queue was closed
                return


def install() -> None:
    """Have ``qcluster`` start :class:`GracefulSentinel` and workers that hand back on SIGTERM."""
    from django_q.signals import post_spawn

    cluster.Sentinel = GracefulSentinel  # Cluster.start looks the class up in its module at start
    post_spawn.connect(on_worker_start, dispatch_uid="orchestration-worker-shutdown")
