"""gunicorn settings for the web process (deploy/systemd/orchestration-web.service).

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

Sync workers: every request is short (the engine's work runs in qcluster, never in a
request), so processes, not threads, use the cores. Override with GUNICORN_* variables.
"""
import multiprocessing
import os

from prometheus_client import multiprocess

# Behind the reverse proxy on the same machine; the proxy terminates TLS.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
# An API call that outlives this is a bug or a stuck database: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Only the local proxy's X-Forwarded-Proto is believed (settings: BEHIND_TLS_PROXY).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
# Load the application in each worker, after the fork: no database connection is shared.
preload_app = False


def child_exit(server, worker):
    """Metrics in multiprocess mode (PROMETHEUS_MULTIPROC_DIR): drop a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
