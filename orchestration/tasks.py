"""django-q2 entry points (and nothing else)."""
from __future__ import annotations

from orchestration.engine import runner


def advance(execution_id: str) -> None:
    """Advance one execution as far as it can go now."""
    runner.advance(execution_id)
