"""The README's run command, from a clean clone: it serves on the URLs it prints, and Ctrl-C
stops every process it started, cleanly.

Slow (a fresh virtual environment is installed from the package index), and run on the
committed tree, as a new user would get it.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
URLS = re.compile(r"console: (\S+)\s+admin: (\S+)\s+API: (\S+)\s+docs: (\S+)")


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_make_run_serves_where_it_says_and_stops_on_ctrl_c(tmp_path):
    if port_taken(8000):
        pytest.skip("port 8000, the README's default, is taken on this machine")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PORT", "HOST", "VIRTUAL_ENV",
                        "DJANGO_SETTINGS_MODULE")}
    # The machine's own python3, not the test suite's virtual environment.
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if "/.venv/" not in p + "/")
    env.update(ADMIN_USERNAME="admin", ADMIN_PASSWORD="first-minute-pw")
    proc = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 900  # a fresh virtual environment: pip install takes a while
        while not (found := URLS.search("".join(output))):
            assert proc.poll() is None and time.monotonic() < deadline, "".join(output)[-3000:]
            time.sleep(0.5)
        console, admin, api, docs = found.groups()
        assert console == "http://127.0.0.1:8000/console/"

        def answers(url: str) -> bool:
            try:
                # The API root wants a token (401): it answers, which is what is checked here.
                return requests.get(url, timeout=5, allow_redirects=False).status_code in (200, 302, 401)
            except requests.RequestException:
                return False

        for url in (console, admin, api, docs):
            ready = time.monotonic() + 60
            while not answers(url):
                assert time.monotonic() < ready, f"{url} does not answer:\n" + "".join(output)[-3000:]
                time.sleep(0.5)

        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches make and honcho
        proc.wait(timeout=20)  # make reports an interrupted target, as it does for any Ctrl-C
        log = "".join(output)
        assert "SIGKILL" not in log, log[-3000:]  # nothing had to be killed: every process stopped itself
        assert "has stopped" in log and "engine.1 stopped" in log, log[-3000:]
        assert not running_in(clone), "a process of make run outlived Ctrl-C"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        kill_everything_running_in(clone)


def running_in(directory: Path) -> list[int]:
    """honcho starts each process in a session of its own: find them by their working directory."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(directory):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def kill_everything_running_in(directory: Path) -> None:
    for pid in running_in(directory):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue
