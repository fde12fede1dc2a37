"""Throwaway services for the benchmarks, started with the test suite's own scripts.

A benchmark given ``DATABASE_URL`` or ``VCSIM_URL`` uses that service; otherwise it
starts its own (``tests/infra/postgres.sh`` or ``vcsim.sh`` with a state directory of
its own, so it never meets a test run's) and stops it when done.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def service(script: str, variable: str, state_dir: str, *args: str) -> Iterator[str]:
    """Yield the service's URL (also put in ``os.environ[variable]``)."""
    if os.environ.get(variable):
        yield os.environ[variable]
        return
    env = {**os.environ, "STATE_DIR": state_dir}
    out = subprocess.run(["bash", f"tests/infra/{script}", "start", *args], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    url = next(line.split("=", 1)[1] for line in out.splitlines() if line.startswith(f"{variable}="))
    os.environ[variable] = url
    try:
        yield url
    finally:
        subprocess.run(["bash", f"tests/infra/{script}", "stop"], cwd=ROOT, env=env, capture_output=True)
        del os.environ[variable]


def postgres(shared_buffers: str = "") -> AbstractContextManager[str]:
    """``shared_buffers``: PostgreSQL's own cache, sized as a production server's would be."""
    if shared_buffers:
        os.environ.setdefault("PG_SHARED_BUFFERS", shared_buffers)
    return service("postgres.sh", "DATABASE_URL", "/tmp/bench-pg")


def simulator() -> AbstractContextManager[str]:
    return service("vcsim.sh", "VCSIM_URL", "/tmp/bench-vcsim")
