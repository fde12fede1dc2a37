"""django-q2 entry points (and nothing else)."""
from __future__ import annotations


def advance(execution_id: str) -> None:
    """Advance one execution as far as it can go now."""
    from orchestration.engine.runner import advance as run

    run(execution_id)


def fire_timer(trigger_id: int) -> None:
    """Start the execution a timer trigger is due for."""
    from orchestration.services.triggers import fire

    fire(trigger_id)
