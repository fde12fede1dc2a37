"""The LISTEN connection the pusher and the ticker sleep on (real PostgreSQL).

It waits in the kernel for its socket, so a notification must still arrive at once, a
quiet wait must last its timeout, and a connection killed under it must be reported
(``None``: the caller looks at the database itself) and come back on the next wait.
"""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from orchestration.engine import wakeups

pytestmark = pytest.mark.django_db(transaction=True)  # a NOTIFY is delivered at commit


@pytest.fixture
def listener():
    if not wakeups.listening_supported():
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    listening = wakeups.Listener(wakeups.DUE_CHANNEL)
    assert listening.connect()
    yield listening
    listening.close()


def notify_later(payload: str, delay: float) -> threading.Thread:
    def send() -> None:
        time.sleep(delay)
        wakeups.notify(wakeups.DUE_CHANNEL, payload)
        connection.close()  # this thread's own connection

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def test_a_notification_wakes_the_wait_at_once(listener):
    thread = notify_later("1700000000.5", 0.3)
    began = time.monotonic()
    assert listener.wait(10) == ["1700000000.5"]
    assert time.monotonic() - began < 5
    thread.join()


def test_a_quiet_wait_lasts_its_timeout_and_returns_nothing(listener):
    began = time.monotonic()
    assert listener.wait(0.4) == []
    assert time.monotonic() - began >= 0.39


def test_notifications_sent_before_the_wait_are_all_returned(listener):
    wakeups.notify(wakeups.DUE_CHANNEL, "1")
    wakeups.notify(wakeups.DUE_CHANNEL, "2")
    received: list[str] = []
    deadline = time.monotonic() + 5
    while len(received) < 2 and time.monotonic() < deadline:
        received += listener.wait(1)
    assert received == ["1", "2"]


def test_a_killed_connection_is_reported_and_the_next_wait_listens_again(listener):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listener._conn.info.backend_pid])
    began = time.monotonic()
    assert listener.wait(10) is None  # said at once, not after the timeout
    assert time.monotonic() - began < 5
    assert listener.connect()
    thread = notify_later("42", 0.2)
    assert listener.wait(10) == ["42"]
    thread.join()
