"""Two engine tickers (``manage.py runengine``, separate processes) over one PostgreSQL hand the
same stored vSphere events to one event trigger: every event fires exactly once, and every run it
starts succeeds on the worker cluster.

The events are inserted as rows of a vCenter granted to the tenant (the simulator cannot post a
hundred events at once; the event sync itself is tested against the simulator in
``tests/vsphere/test_event_triggers.py``). The web server, the worker cluster, both tickers and
PostgreSQL are real processes (``stack.py``).
"""
from __future__ import annotations

import json

import pytest

from .stack import Stack, wait_for

EVENTS = 100
TEMPLATE = {
    "FormatVersion": "OOS-2019-06-01",
    "Parameters": {"vmId": {"Type": "String"}},
    "Tasks": [{"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}],
}
GRANTED_VCENTER = """
from orchestration.models import Tenant
from vsphere.models import VCenter
vcenter = VCenter(name="events", host="vcenter.invalid", user="svc", sync_enabled=False)
vcenter.set_password("unused")
vcenter.save()
vcenter.tenants.add(Tenant.objects.get(pk={tenant}))
print(vcenter.pk)
"""


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.start_database()
    try:
        stack.seed_data = stack.seed()
        stack.start_web()
        stack.start_worker("worker")
        for n in (1, 2):
            stack.start_ticker(f"ticker-{n}")
        yield stack
    finally:
        stack.stop_all()
        stack.stop_database()


def test_two_tickers_fire_each_event_once(stack):
    api = stack.api(stack.seed_data["token"])
    tenant = stack.seed_data["company"]
    created = api.post(f"{stack.base}/api/v1/templates/", json={"name": "on-power-off",
                                                                "content": json.dumps(TEMPLATE)})
    assert created.status_code == 201, created.text
    trigger = api.post(f"{stack.base}/api/v1/event-triggers/", json={
        "tenant": tenant, "template": created.json()["id"], "name": "power-off",
        "event_types": ["VmPoweredOffEvent"], "parameters": {"vmId": "{{ event.entity.moref }}"},
        "dedupe_seconds": 0, "max_runs_per_minute": 1000})
    assert trigger.status_code == 201, trigger.text
    vcenter = int(stack.manage("shell", "-c", GRANTED_VCENTER.replace("{tenant}", tenant)).split()[-1])

    stack.sql("INSERT INTO vsphere_vsphereevent (vcenter_id, key, event_type, created_time, entity_type, "
              "entity_moref, entity_name, \"user\", message, alarm_name, alarm_status, data) "
              "SELECT %s, n, 'VmPoweredOffEvent', now(), 'VirtualMachine', 'vm-' || n, 'web-' || n, 'root', "
              "'powered off', '', '', '{}' FROM generate_series(1, %s) AS n RETURNING key", vcenter, EVENTS)
    stack.sql("UPDATE vsphere_vcenter SET event_key_until = %s WHERE id = %s RETURNING id", EVENTS, vcenter)

    firings = "SELECT count(*), count(DISTINCT event_key) FROM orchestration_eventtriggerfiring WHERE fired"
    wait_for(lambda: stack.sql(firings)[0][0] >= EVENTS, timeout=60, interval=0.5, what="every event fired")
    wait_for(lambda: stack.sql("SELECT count(*) FROM orchestration_execution WHERE trigger = 'Event' "
                               "AND status = 'Success'")[0][0] >= EVENTS,
             timeout=90, interval=0.5, what="every triggered run Success")
    assert stack.sql(firings)[0] == (EVENTS, EVENTS)  # once each, never twice
    runs = stack.sql("SELECT count(*), count(DISTINCT parameters->>'vmId') FROM orchestration_execution "
                     "WHERE trigger = 'Event'")[0]
    assert runs == (EVENTS, EVENTS)
