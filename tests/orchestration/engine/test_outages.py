"""Outages heal themselves: the database goes away mid-run and comes back, and every
execution finishes without anyone restarting a process; requests made meanwhile get
503 with ``Retry-After`` in their face's own envelope; SIGTERM stops the workers and
the ticker within seconds and leaves no lease held.

Real processes on a private PostgreSQL (see ``stack.py``); nothing is mocked.
"""
from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime

import pytest
import requests

from .stack import Stack, wait_for

ITEMS = 20
EXECUTIONS = 8
SLEEPY_LOOP = {
    "FormatVersion": "OOS-2019-06-01",
    "Tasks": [
        {"Name": "each", "Action": "ACS::Sleep", "Properties": {"Duration": "PT1S"},
         "Loop": {"Items": list(range(ITEMS)), "Concurrency": 4, "MaxErrors": 0}},
        {"Name": "done", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}},
    ],
}


@pytest.fixture(params=["orm"])
def stack(request, tmp_path):
    stack = Stack(tmp_path)
    stack.start_database()
    try:
        if request.param == "redis":
            stack.start_redis()
        stack.seed_data = stack.seed()
        stack.start_web()
        stack.start_worker()
        stack.start_ticker()
        yield stack
    finally:
        stack.stop_all()
        stack.stop_database()


def start_executions(stack: Stack, name: str) -> list[str]:
    api = stack.api(stack.seed_data["token"])
    created = api.post(f"{stack.base}/api/v1/templates/", json={"name": name, "content": json.dumps(SLEEPY_LOOP)})
    assert created.status_code == 201, created.text
    ids = []
    for _ in range(EXECUTIONS):
        started = api.post(f"{stack.base}/api/v1/executions/", json={"template": name})
        assert started.status_code == 201, started.text
        ids.append(started.json()["id"])
    return ids


def items_done(stack: Stack) -> int:
    return stack.sql("SELECT count(*) FROM orchestration_taskexecution "
                     "WHERE parent_task_execution_id IS NOT NULL AND status = 'Success'")[0][0]


def all_succeeded(stack: Stack, ids: list[str]) -> bool:
    try:
        rows = stack.sql("SELECT status FROM orchestration_execution WHERE id = ANY(%s)", ids)
    except Exception:  # the database may still be starting up
        return False
    return len(rows) == len(ids) and all(status == "Success" for (status,) in rows)


def assert_every_item_exactly_once(stack: Stack, ids: list[str]) -> None:
    rows = stack.sql(
        "SELECT execution_id, count(*), count(DISTINCT loop_index), max(tries) FROM orchestration_taskexecution "
        "WHERE parent_task_execution_id IS NOT NULL AND execution_id = ANY(%s) GROUP BY execution_id", ids)
    assert len(rows) == len(ids)
    for execution_id, runs, distinct_items, tries in rows:
        assert (runs, distinct_items, tries) == (ITEMS, ITEMS, 1), f"{execution_id}: items lost, doubled or retried"


def login_console(stack: Stack) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{stack.base}/console/login/")
    assert page.status_code == 200
    answer = session.post(f"{stack.base}/console/login/", allow_redirects=False,
                          data={"username": "root", "password": "root-pass-123",
                                "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                          headers={"Referer": f"{stack.base}/console/login/"})
    assert answer.status_code == 302, answer.text[:300]
    return session


def assert_503(response: requests.Response) -> None:
    assert response.status_code == 503, (response.request.url, response.status_code, response.text[:300])
    assert int(response.headers["Retry-After"]) > 0


def probe_every_face(stack: Stack, console: requests.Session) -> None:
    """While the database is down, each face answers 503 in its own envelope."""
    seed = stack.seed_data
    api = stack.api(seed["token"])
    now = datetime.now(UTC)

    native = api.get(f"{stack.base}/api/v1/executions/", timeout=10)
    assert_503(native)
    assert native.json()["code"] == "service_unavailable"

    alibaba = requests.get(stack.base + "/", timeout=10, params={
        "Action": "ListExecutions", "Version": "2019-06-01", "AccessKeyId": seed["key_id"], "Format": "JSON",
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": str(time.time_ns()),
        "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "Signature": "x"})
    assert_503(alibaba)
    assert alibaba.json()["Code"] == "ServiceUnavailable" and alibaba.json()["RequestId"]

    ucloud = requests.post(stack.base + "/", timeout=10, data={
        "Action": "DescribeOrchTask", "PublicKey": seed["key_id"], "Signature": "x", "Region": "cn-bj2"})
    assert_503(ucloud)
    assert ucloud.json()["RetCode"] == 150

    baidu = requests.post(f"{stack.base}/api/logic/oos/v2/template/list", json={}, timeout=10, headers={
        "Authorization": f"bce-auth-v1/{seed['key_id']}/{now.strftime('%Y-%m-%dT%H:%M:%SZ')}/1800/host/{'0' * 64}"})
    assert_503(baidu)
    assert baidu.json()["code"] == "ServiceUnavailable" and baidu.json()["success"] is False

    huawei = requests.post(f"{stack.base}/v1/p1/cms/workflow-list", json={}, timeout=10, headers={
        "X-Sdk-Date": now.strftime("%Y%m%dT%H%M%SZ"),
        "Authorization": f"SDK-HMAC-SHA256 Access={seed['key_id']}, SignedHeaders=host;x-sdk-date, Signature=ab"})
    assert_503(huawei)
    assert huawei.json()["error_code"] == "APIG.0201"

    tasks = api.get(f"{stack.base}/v1/vsphere/task/root_recent/list", params={"vsphere_uuid": "x"}, timeout=10)
    assert_503(tasks)
    assert tasks.json()["scode"] == 50300

    page = console.get(f"{stack.base}/console/", timeout=10)
    assert_503(page)
    assert "temporarily unavailable" in page.text and "Traceback" not in page.text

    ready = requests.get(f"{stack.base}/readyz", timeout=10)
    assert_503(ready)
    assert ready.json()["checks"]["database"] == "unreachable"

    # Metrics still arrive (the process's own), without the figures read from the database.
    scraped = requests.get(f"{stack.base}/metrics", timeout=10)
    assert scraped.status_code == 200, scraped.text[:300]
    assert "django_http_responses_total_by_status_total" in scraped.text
    assert "orchestration_executions{" not in scraped.text


def test_database_outage_heals_without_restarts(stack):
    ids = start_executions(stack, "outage-loop")
    console = login_console(stack)
    wait_for(lambda: items_done(stack) >= 10, timeout=60, what="the first items done")

    stack.pause_database()
    outage_began = time.monotonic()
    probe_every_face(stack, console)
    time.sleep(max(0.0, 10 - (time.monotonic() - outage_began)))
    stack.resume_database()
    back = time.monotonic()

    wait_for(lambda: all_succeeded(stack, ids), timeout=30, interval=0.5,
             what="every execution Success within 30 s of the database returning")
    healed_in = time.monotonic() - back
    assert_every_item_exactly_once(stack, ids)
    assert requests.get(f"{stack.base}/readyz", timeout=10).status_code == 200
    # Every process is still the one started before the outage.
    assert all(proc.poll() is None for proc in stack.procs.values())
    print(f"all {EXECUTIONS} executions finished {healed_in:.1f} s after the database returned")


def test_ticker_logs_an_outage_once_not_every_pass(stack):
    # The ticker is up (it boots slowly on a loaded machine) before the database goes.
    wait_for(lambda: "engine ticker running" in (stack.logs / "ticker.log").read_text(), timeout=60,
             what="the ticker up")
    time.sleep(1)
    stack.pause_database()
    time.sleep(6)
    stack.resume_database()
    time.sleep(3)
    log = (stack.logs / "ticker.log").read_text()
    assert log.count("engine ticker: unavailable") == 1, log[-2000:]
    assert log.count("engine ticker: available again") == 1, log[-2000:]


def test_sigterm_stops_workers_and_ticker_and_releases_leases(stack):
    ids = start_executions(stack, "sigterm-loop")
    wait_for(lambda: items_done(stack) >= 10, timeout=60, what="the first items done")

    # As systemd or a container stop does: SIGTERM to every process of each group.
    stack.signal("worker", signal.SIGTERM, group=True)
    stack.signal("ticker", signal.SIGTERM, group=True)
    wait_for(lambda: not stack.group_alive("worker") and not stack.group_alive("ticker"), timeout=10,
             interval=0.1, what="qcluster and runengine exit within 10 s")

    held = stack.sql("SELECT id FROM orchestration_execution WHERE lease_owner <> ''")
    assert held == [], "a stopped worker left a lease held"
    # A new worker and ticker finish the work with every item exactly once.
    stack.start_worker("worker-2")
    stack.start_ticker()
    wait_for(lambda: all_succeeded(stack, ids), timeout=90, interval=0.5, what="every execution Success")
    assert_every_item_exactly_once(stack, ids)


def test_sigterm_to_the_main_processes_only(stack):
    """``kill <pid>`` of each main process: django-q2's own graceful stop, and the ticker's."""
    ids = start_executions(stack, "sigterm-main-loop")
    wait_for(lambda: items_done(stack) >= 10, timeout=60, what="the first items done")
    stack.signal("worker", signal.SIGTERM)
    stack.signal("ticker", signal.SIGTERM)
    wait_for(lambda: not stack.group_alive("worker") and not stack.group_alive("ticker"), timeout=10,
             interval=0.1, what="qcluster and runengine exit within 10 s")
    assert stack.sql("SELECT id FROM orchestration_execution WHERE lease_owner <> ''") == []
    assert stack.sql("SELECT count(*) FROM orchestration_execution WHERE id = ANY(%s)", ids)[0][0] == EXECUTIONS


@pytest.mark.parametrize("stack", ["redis"], indirect=True)
def test_redis_broker_outage_heals_without_restarts(stack):
    """The Redis broker (and cache) killed and restarted empty: its queued messages are lost,
    the ticker queues those executions again, and every one finishes."""
    ids = start_executions(stack, "redis-outage-loop")
    wait_for(lambda: items_done(stack) >= 10, timeout=60, what="the first items done")

    stack.kill_redis()
    outage_began = time.monotonic()
    native = stack.api(stack.seed_data["token"]).get(f"{stack.base}/api/v1/executions/", timeout=10)
    assert_503(native)  # the API's rate limits live in the Redis cache
    assert native.json()["code"] == "service_unavailable"
    ready = requests.get(f"{stack.base}/readyz", timeout=10)
    assert_503(ready)
    assert ready.json()["checks"] == {"database": "ok", "broker": "unreachable"}
    time.sleep(max(0.0, 10 - (time.monotonic() - outage_began)))
    stack.start_redis()
    back = time.monotonic()

    wait_for(lambda: all_succeeded(stack, ids), timeout=30, interval=0.5,
             what="every execution Success within 30 s of Redis returning")
    assert_every_item_exactly_once(stack, ids)
    assert all(proc.poll() is None for proc in stack.procs.values())
    print(f"all {EXECUTIONS} executions finished {time.monotonic() - back:.1f} s after Redis returned")
