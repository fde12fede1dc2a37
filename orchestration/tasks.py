"""django-q2 entry points (and nothing else)."""
from __future__ import annotations


def advance(execution_id: str) -> None:
    """Advance one execution as far as it can go now."""
    from orchestration.engine.runner import advance as run

    run(execution_id)
