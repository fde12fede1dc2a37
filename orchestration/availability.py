"""When a dependency (the database, the Redis broker) is unreachable, and what to do about it.

Two users of the same rule:

* the API faces answer such a failure with 503 and ``Retry-After`` in their own
  envelope (:func:`is_unavailable`, :func:`retry_after_seconds`), so a client can tell
  "try again shortly" from a bug;
* long-running loops (the engine ticker, lease hand-back in workers) survive it: they
  drop the broken connections, back off while the dependency is down, say so once when
  it goes and once when it returns (:class:`Outage`), and carry on by themselves.
"""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)


def _broker_errors() -> tuple[type[BaseException], ...]:
    try:
        import redis
    except ImportError:  # redis is a dependency, but the embedded default does not need it
        return ()
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


# OperationalError: the server went away, refused the connection, or a transient
# failure (SQLite "database is locked", a deadlock); InterfaceError: psycopg's
# "connection already closed". Neither is the caller's fault or a bug of ours.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, *_broker_errors())


def is_unavailable(exc: BaseException) -> bool:
    """True if ``exc`` means a dependency is unreachable (answer 503), not a bug (500)."""
    return isinstance(exc, UNAVAILABLE_ERRORS)


def retry_after_seconds() -> int:
    """What a 503 tells clients to wait before trying again (``UNAVAILABLE_RETRY_AFTER``)."""
    return int(getattr(settings, "UNAVAILABLE_RETRY_AFTER", 5))


UNAVAILABLE_MESSAGE = "The service is temporarily unavailable (its database or broker is unreachable); retry shortly."


def with_retry_after(response, seconds: int | None):
    """``response`` with the standard ``Retry-After`` header when an error says when to come
    back (an outage: :func:`retry_after_seconds`; a rate limit: its window); ``None`` adds nothing."""
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def drop_connections() -> None:
    """Close every database connection of this thread, so the next query opens a fresh one.

    Django reuses a connection across queries; after the server went away it would reuse
    the dead one forever. Closing never fails on a dead connection.
    """
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:  # closing a broken connection may complain; it is gone either way
            logger.debug("closing connection %s failed", conn.alias, exc_info=True)


class Outage:
    """Backoff and logging for a loop that must outlive an outage of what it talks to.

    ``failed(exc)`` after a failed pass returns how long to sleep (doubling up to
    ``max_delay``) and logs one line when the outage begins; ``succeeded()`` logs one
    line when it ends. A dependency that is down is logged once, not once per pass.
    """

    def __init__(self, what: str, *, base_delay: float = 0.5, max_delay: float | None = None) -> None:
        self.what = what
        self.base_delay = base_delay
        self.max_delay = max_delay if max_delay is not None else float(getattr(settings, "OUTAGE_MAX_BACKOFF", 5.0))
        self.down_since: float | None = None
        self.failures = 0

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, exc: BaseException) -> float:
        drop_connections()
        self.failures += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            if is_unavailable(exc):
                logger.error("%s: unavailable (%s); retrying with backoff", self.what, _one_line(exc))
            else:
                logger.exception("%s failed; retrying with backoff", self.what, exc_info=exc)
        return min(self.max_delay, self.base_delay * 2 ** (self.failures - 1))

    def succeeded(self) -> None:
        if self.down_since is not None:
            logger.warning("%s: available again after %.1f s", self.what, time.monotonic() - self.down_since)
        self.down_since = None
        self.failures = 0


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
