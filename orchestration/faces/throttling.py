"""Per-access-key request rates for the signed faces (``settings.API_KEY_RATE``).

One limiter for every signed face: :func:`orchestration.faces.credentials.accept` counts a
request once its signature checked out (so someone without the secret cannot spend a
key's budget), and each face answers :class:`RateLimited` in its own throttling format
with a ``Retry-After`` header. The native API is limited by DRF's throttles instead.

The window is fixed and opens at a key's first request: ``600/minute`` lets 600 requests
through in the minute that follows it, refuses the rest until the minute is over, then
starts a new window. Counters live in Django's default cache, so they are per process
with the local-memory cache and shared by every process with ``REDIS_URL``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from orchestration.errors import ServiceError

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CACHE_PREFIX = "api-key-rate"


@dataclass(frozen=True)
class Rate:
    """``count`` requests per ``seconds``."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count} requests per {self.seconds} seconds"


class RateLimited(ServiceError):
    """The access key made more requests than its rate allows; retry after ``retry_after`` seconds."""

    kind = "throttled"
    http_status = 429

    def __init__(self, key_id: str, rate: Rate, retry_after: int):
        self.retry_after = retry_after
        super().__init__(
            f"Access key {key_id!r} exceeded its rate of {rate}; retry in {retry_after} seconds.", code="throttled"
        )


def parse_rate(text: str) -> Rate | None:
    """``"600/minute"`` (DRF's syntax: second, minute, hour, day or their first letter) as a :class:`Rate`;
    an empty value means no limit."""
    text = (text or "").strip()
    if not text:
        return None
    count, _, period = text.partition("/")
    seconds = PERIODS.get(period.strip()[:1].lower())
    if not count.strip().isdigit() or seconds is None or int(count) < 1:
        raise ImproperlyConfigured(f"API_KEY_RATE {text!r} is not like '600/minute' (second, minute, hour, day).")
    return Rate(int(count), seconds)


def configured_rate() -> Rate | None:
    """The current ``settings.API_KEY_RATE`` (read on each call, so tests and reloads see changes)."""
    return parse_rate(getattr(settings, "API_KEY_RATE", ""))


def count_request(key_id: str) -> None:
    """Count one request of ``key_id``; raises :class:`RateLimited` once its window's budget is spent."""
    rate = configured_rate()
    if rate is None:
        return
    counter, opened = f"{CACHE_PREFIX}:{key_id}", f"{CACHE_PREFIX}:{key_id}:opened"
    now = time.time()
    cache.add(opened, now, timeout=rate.seconds)
    cache.add(counter, 0, timeout=rate.seconds)
    try:
        count = cache.incr(counter)
    except ValueError:  # the window closed between add() and incr(): this request opens the next one
        count = 1
        cache.set(counter, count, timeout=rate.seconds)
    if count > rate.count:
        start = cache.get(opened, now)
        raise RateLimited(key_id, rate, retry_after=max(1, math.ceil(start + rate.seconds - now)))
