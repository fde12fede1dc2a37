"""The whole service as separate processes on a database of its own, for outage tests.

The suite's PostgreSQL is shared by every test, so a test that stops its database
gets a private cluster (``tests/infra/postgres.sh`` with its own state dir), migrated
and seeded through the management commands as an operator would, then the README's
production processes against it: gunicorn, ``qcluster`` and ``runengine``. The test
talks to it only from outside — HTTP, and plain SQL to check the rows.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import requests

from .workers import wait_for

ROOT = Path(__file__).resolve().parents[3]
POSTGRES_SH = ROOT / "tests" / "infra" / "postgres.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, state_dir: Path, **env: str) -> None:
        self.state_dir = state_dir
        self.extra_env = env
        self.procs: dict[str, subprocess.Popen] = {}
        self.database_url = ""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.logs = state_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # -- the database ----------------------------------------------------------------
    def _postgres(self, command: str) -> str:
        out = subprocess.run(["bash", str(POSTGRES_SH), command], env={**os.environ, "STATE_DIR": str(self.state_dir)},
                             check=True, capture_output=True, text=True, timeout=120)
        return out.stdout

    def start_database(self) -> None:
        out = self._postgres("start")
        self.database_url = next(line.split("=", 1)[1] for line in out.splitlines()
                                 if line.startswith("DATABASE_URL="))

    def pause_database(self) -> None:
        self._postgres("pause")

    def resume_database(self) -> None:
        self._postgres("resume")

    def stop_database(self) -> None:
        self._postgres("stop")

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    # -- the Redis broker (optional) -------------------------------------------------
    def start_redis(self) -> None:
        """A throwaway Redis without persistence: a restart loses every queued message."""
        if not hasattr(self, "redis_port"):
            self.redis_port = free_port()
            self.extra_env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.logs / "redis.log", "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115
        wait_for(self._redis_answers, timeout=10, what="redis up")

    def _redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill_redis(self) -> None:
        """As on a crash: SIGKILL, queued messages gone."""
        self.redis.kill()
        self.redis.wait(timeout=10)

    # -- processes -------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "ENGINE_LEASE_SECONDS": "20",
            "Q_POLL": "0.05",
            "Q_WORKERS": "2",
            "LOG_LEVEL": "WARNING",
            "OUTAGE_MAX_BACKOFF": "2",
            **self.extra_env,
        }

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env(), **(env or {})},
                             check=True, capture_output=True, text=True, timeout=300)
        return out.stdout

    def start(self, name: str, *command: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start ``command`` in a process group of its own; ``env`` adds to :meth:`env` (one machine's)."""
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process's life)
        proc = subprocess.Popen(list(command), cwd=ROOT, env={**self.env(), **(env or {})}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_web(self, env: dict[str, str] | None = None) -> None:
        self.start("web", sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{self.port}",
                   "-w", "2", "--timeout", "60", env=env)
        wait_for(self._answers, timeout=30, what="web server up")

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def start_worker(self, name: str = "worker", env: dict[str, str] | None = None) -> None:
        self.start(name, sys.executable, "manage.py", "qcluster", env=env)

    def start_ticker(self, name: str = "ticker", env: dict[str, str] | None = None) -> None:
        self.start(name, sys.executable, "manage.py", "runengine", "--interval", "0.2", env=env)

    def signal(self, name: str, sig: int, *, group: bool = False) -> None:
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
        except ProcessLookupError:
            pass

    def group_alive(self, name: str) -> bool:
        """True while any process of ``name``'s process group still runs (zombies aside)."""
        pgid = self.procs[name].pid
        self.procs[name].poll()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            state, process_group = fields[0], int(fields[2])
            if process_group == pgid and state != "Z":
                return True
        return False

    def stop_all(self) -> None:
        if getattr(self, "redis", None) is not None and self.redis.poll() is None:
            self.kill_redis()
        for proc in list(self.procs.values()):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
        self.procs.clear()

    # -- seeding, as an operator would -----------------------------------------------
    def seed(self) -> dict[str, str]:
        """A tenant, an operator with an access key and an API token, a console login."""
        self.manage("migrate", "--noinput")
        company = json.loads(self.manage("createtenant", "--name", "Outage Corp"))["CompanyID"]
        key = json.loads(self.manage("createaccesskey", "--company-id", str(company), "--username", "ops",
                                     "--role", "operator"))
        token = self.manage("drf_create_token", "ops").split()[2]
        self.manage("ensureadmin", env={"ADMIN_USERNAME": "root", "ADMIN_PASSWORD": "root-pass-123"})
        return {"company": str(company), "key_id": key["AccessKeyId"], "secret": key["AccessKeySecret"],
                "token": token}

    def api(self, token: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        return session
