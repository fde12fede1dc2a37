"""Keeping the objects a process loads at start out of the garbage collector's full passes.

A process of this service holds ~150,000 objects that live as long as it does: modules,
models, the URL map, views, serializers, admin classes. CPython's full collection walks
all of them each time enough new objects have survived since the last one, every few
seconds under load; measured on the two-core bench machine at 90 – 150 ms, landing inside
a request now and then: that was the p99 of lists whose median is 20 ms. ``gc.freeze()``
moves everything that exists to a generation no collection walks, so a full pass then
sees only what requests and engine rounds have kept since (5 – 20 ms measured).

A web worker still makes the cyclic garbage of every request (request, response, template
contexts: promoted while the request runs, so only a full pass frees them), and keeps
compiled templates and cache entries. Late in a long bench run its full passes took
20 – 35 ms, every 5 – 10 s: one inside most pages' hundred requests. Making them rarer
only makes each longer (the garbage waits: 80 – 280 ms a pass at a tenth of the rate), so
the web process runs them between requests instead, after every hundredth response has
been sent (:data:`RESPONSES_PER_FULL_PASS`; out of band, as Ruby's Unicorn does), and
leaves the automatic ones as a rarely needed fallback.
"""
from __future__ import annotations

import gc

from django.core.signals import request_finished


def freeze_loaded() -> int:
    """Collect start-up's garbage, then exempt what is left from every later full pass.

    Call once the process has loaded what it keeps (after the URL map, for the web);
    returns how many objects are now frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


RESPONSES_PER_FULL_PASS = 100
AUTOMATIC_FULL_PASS_EVERY = 100  # first-generation passes (CPython: 10); the fallback
_responses = 0


def collect_between_responses() -> None:
    """For a web process: full passes after every ``RESPONSES_PER_FULL_PASS`` responses.

    Django sends ``request_finished`` when the server closes the response, after its last
    byte is written: the client has its answer, and the pass delays nobody's request but a
    next one this worker would take in those milliseconds (another worker takes it).
    """
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, AUTOMATIC_FULL_PASS_EVERY)
    request_finished.connect(_after_response, dispatch_uid="heap.collect_between_responses")


def _after_response(sender=None, **kwargs) -> None:
    global _responses
    _responses += 1
    if _responses % RESPONSES_PER_FULL_PASS == 0:
        gc.collect()


def on_worker_start(sender=None, **kwargs) -> None:
    """django-q2 ``post_spawn`` receiver: a new worker has everything its rounds need loaded."""
    freeze_loaded()
