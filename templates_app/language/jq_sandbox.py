"""Run jq programs where a runaway one cannot hurt: in a child process, with limits.

jq is C code: once a program runs, nothing in the calling process can stop it, and
selectors are written by template authors. ``[range(1e10)]`` would take a worker's
memory, ``last(range(1e12))`` its CPU, for good. So programs run in one long-lived
child process per calling process (``jq_child``), which caps its own address space;
the caller waits at most ``JQ_TIMEOUT_SECONDS``, then kills it and starts a fresh one
for the next call. A request is one line of JSON, so the cost per call is a pipe round
trip (compiled programs are cached in the child).
"""
from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = float(os.environ.get("JQ_TIMEOUT_SECONDS", "5"))
MEMORY_BYTES = int(os.environ.get("JQ_MEMORY_MB", "512")) * 2**20
_CHILD = Path(__file__).with_name("jq_child.py")

_lock = threading.Lock()
_process: subprocess.Popen | None = None
_owner = 0  # pid that started _process: a forked worker starts its own


class JqFailed(Exception):
    """The program failed (jq's message), ran out of time, or out of memory."""


def run(program: str, data: Any, timeout: float | None = None) -> list[Any]:
    """Every result of the (already validated) jq ``program`` on ``data``."""
    request = json.dumps({"p": program, "d": data}, ensure_ascii=False).encode() + b"\n"
    limit = TIMEOUT_SECONDS if timeout is None else timeout
    with _lock:
        try:
            line = _exchange(request, limit)
        except OSError as exc:  # could not start it, or it vanished twice in a row
            _stop()
            raise JqFailed(f"could not be run: {exc}") from None
    reply = json.loads(line)
    if "error" in reply:
        raise JqFailed(reply["error"])
    return reply["ok"]


def _exchange(request: bytes, limit: float) -> bytes:
    process = _running()
    try:
        process.stdin.write(request)
        process.stdin.flush()
    except BrokenPipeError:  # it died since the last call: one fresh try
        _stop()
        process = _running()
        process.stdin.write(request)
        process.stdin.flush()
    ready, _, _ = select.select([process.stdout], [], [], limit)
    if not ready:
        _stop()
        raise JqFailed(f"took longer than {limit:g} s and was stopped")
    line = process.stdout.readline()
    if not line:
        _stop()
        raise JqFailed(f"ran out of memory (limit {MEMORY_BYTES // 2**20} MB) and was stopped")
    return line


def _running() -> subprocess.Popen:
    global _process, _owner
    if _process is None or _owner != os.getpid() or _process.poll() is not None:
        _process = subprocess.Popen(
            [sys.executable, "-I", str(_CHILD), str(MEMORY_BYTES)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        _owner = os.getpid()
    return _process


def _stop() -> None:
    global _process
    if _process is not None and _owner == os.getpid():
        _process.kill()
        _process.wait()
    _process = None


@atexit.register
def _close() -> None:
    with _lock:
        _stop()
