"""Repeated failed logins lock out a (username, address) pair, on the console and the admin (django-axes)."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("three_failures")]

ATTACKER, OFFICE = "10.0.0.66", "10.0.0.7"


@pytest.fixture
def three_failures():
    with override_settings(AXES_FAILURE_LIMIT=3):
        yield


def log_in(path: str, username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def fail_three_times(path: str, username: str, address: str) -> list[int]:
    return [log_in(path, username, "wrong", address).status_code for _ in range(3)]


def test_console_locks_out_after_repeated_failures(operator_a):
    assert fail_three_times("/console/login/", "oscar", ATTACKER) == [200, 200, 429]
    locked = log_in("/console/login/", "oscar", "pw-oscar", ATTACKER)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page and "oscar" in page and "Try again in 15 minutes" in page
    assert "Traceback" not in page and 'href="/console/login/"' in page
    assert "_auth_user_id" not in locked.client.session  # the right password did not log in


def test_console_lockout_is_per_user_and_address(operator_a, viewer_a):
    fail_three_times("/console/login/", "oscar", ATTACKER)
    # The same user from another address, and another user from the same address, still log in.
    assert log_in("/console/login/", "oscar", "pw-oscar", OFFICE).status_code == 302
    assert log_in("/console/login/", "victor", "pw-victor", ATTACKER).status_code == 302


def test_a_success_resets_the_failure_count(operator_a):
    client = Client(REMOTE_ADDR=OFFICE)
    for _ in range(2):
        assert client.post("/console/login/", {"username": "oscar", "password": "wrong"}).status_code == 200
    assert client.post("/console/login/", {"username": "oscar", "password": "pw-oscar"}).status_code == 302
    assert fail_three_times("/console/login/", "oscar", OFFICE) == [200, 200, 429]


def test_admin_locks_out_after_repeated_failures():
    get_user_model().objects.create_superuser("root", "root@example.com", "pw-root")
    assert fail_three_times("/admin/login/", "root", ATTACKER) == [200, 200, 429]
    locked = log_in("/admin/login/", "root", "pw-root", ATTACKER)
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    assert log_in("/admin/login/", "root", "pw-root", OFFICE).status_code == 302
