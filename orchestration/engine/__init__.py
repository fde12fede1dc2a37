"""The execution engine: a state machine stored in the database, advanced by django-q2 workers.

``advance(execution_id)`` (see :mod:`orchestration.engine.runner`) takes the
execution's lease, runs rounds of decisions — each one committed transaction — and
releases the lease with the next wake-up time set. Nothing ever sleeps in a worker:
waits are ``wake_at`` times that the ticker (:mod:`orchestration.engine.ticker`)
turns back into ``advance`` calls.
"""
