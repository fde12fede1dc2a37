"""Keeping the objects a process loads at start out of the garbage collector's full passes.

A process of this service holds ~150,000 objects that live as long as it does: modules,
models, the URL map, views, serializers, admin classes. CPython's full collection walks
all of them each time enough new objects have survived since the last one, every few
seconds under load; measured on the two-core bench machine at 90 – 150 ms, landing inside
a request now and then: that was the p99 of lists whose median is 20 ms. ``gc.freeze()``
moves everything that exists to a generation no collection walks, so a full pass then
sees only what requests and engine rounds have kept since (5 – 20 ms measured).
"""
from __future__ import annotations

import gc


def freeze_loaded() -> int:
    """Collect start-up's garbage, then exempt what is left from every later full pass.

    Call once the process has loaded what it keeps (after the URL map, for the web);
    returns how many objects are now frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def on_worker_start(sender=None, **kwargs) -> None:
    """django-q2 ``post_spawn`` receiver: a new worker has everything its rounds need loaded."""
    freeze_loaded()
