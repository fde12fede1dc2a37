"""vSphere events start runbooks: event sync from the simulator, event triggers, storms and tenants.

The simulator (govmomi) posts real events for power operations and serves them through
an ``EventHistoryCollector``; the storm test inserts stored events directly, since the
simulator cannot produce 500 events in a moment.
"""
from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.utils import timezone

from orchestration.authorization import SYSTEM
from orchestration.errors import InvalidParameter
from orchestration.models import EventTrigger, EventTriggerFiring, Execution, Trigger
from orchestration.services import event_triggers
from templates_app.services.templates import create_template
from tests.orchestration.engine.conftest import drive
from tests.simulator import make_vcenter
from tests.vsphere.helpers import find_vm
from vsphere.models import VSphereEvent
from vsphere.services.sync import sync_vcenter

pytestmark = pytest.mark.django_db


def echo_template(tenant):
    content = {"FormatVersion": "OOS-2019-06-01",
               "Parameters": {"vmId": {"Type": "String"}, "who": {"Type": "String", "Default": ""}},
               "Tasks": [{"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}],
               "Outputs": {"vm": {"Type": "String", "Value": "{{ vmId }}"}}}
    return create_template(tenant=tenant, actor=SYSTEM, name=f"on-event-{tenant.pk}", content=json.dumps(content))


def make_trigger(tenant, owner, **fields) -> EventTrigger:
    values = {"name": "power-off", "event_types": ["VmPoweredOffEvent"], "entity_kind": "VirtualMachine",
              "parameters": {"vmId": "{{ event.entity.moref }}", "who": "{{ event.user }}"}}
    values.update(fields)
    trigger = EventTrigger(tenant=tenant, template=echo_template(tenant), owner=owner, **values)
    return event_triggers.save_trigger(trigger)


def sync_and_handle(vcenter) -> int:
    summary = sync_vcenter(vcenter, inventory=False, tasks=True)
    assert summary["ok"], summary["error"]
    return event_triggers.handle_new_events()


def test_powering_a_vm_off_starts_the_trigger_with_that_vm(vcenter, tenant_a, operator_a):
    sync_vcenter(vcenter)  # inventory, and the event position before the trigger exists
    # No dedupe window: the shared simulator may hold other tests' recent power-offs of this VM.
    make_trigger(tenant_a, operator_a, dedupe_seconds=0)
    event_triggers.handle_new_events()
    vm = find_vm(vcenter, "DC0_H0_VM0")
    if vm.runtime.powerState != "poweredOn":
        vm.PowerOnVM_Task()
    vm.PowerOffVM_Task()
    try:
        assert sync_and_handle(vcenter) >= 1
        stored = VSphereEvent.objects.filter(vcenter=vcenter, event_type="VmPoweredOffEvent",
                                             entity_moref=vm._moId).first()  # the newest: this test's
        assert stored is not None and stored.entity_name == "DC0_H0_VM0"
        firing = EventTriggerFiring.objects.get(event_key=stored.key)
        assert firing.fired, firing.reason
        execution = drive(firing.execution, timeout=30)
        assert execution.trigger == Trigger.EVENT
        assert execution.parameters["vmId"] == vm._moId
        assert execution.status == "Success", execution.status_message
        browser = Client()
        browser.force_login(operator_a)
        page = browser.get(f"/console/executions/{execution.pk}/").content.decode()
        assert "started by the event trigger" in page and "VmPoweredOffEvent" in page
        # Handled once: a second pass over the same events fires nothing more for this one.
        sync_and_handle(vcenter)
        assert EventTriggerFiring.objects.filter(event_key=stored.key).count() == 1
    finally:
        vm.PowerOnVM_Task()  # the simulator is shared: leave the VM as other tests expect it


def storm(vcenter, count: int, entities: int) -> None:
    start = (VSphereEvent.objects.filter(vcenter=vcenter).order_by("-key").values_list("key", flat=True).first()
             or 0) + 1
    now = timezone.now()
    VSphereEvent.objects.bulk_create([
        VSphereEvent(vcenter=vcenter, key=start + i, event_type="VmPoweredOffEvent", created_time=now,
                     entity_type="VirtualMachine", entity_moref=f"vm-storm-{i % entities}",
                     entity_name=f"storm-{i % entities}", user="root", message="storm")
        for i in range(count)
    ])
    type(vcenter).objects.filter(pk=vcenter.pk).update(event_key_until=start + count - 1)


def test_an_event_storm_runs_once_per_entity_and_stops_at_the_rate_limit(vcenter, tenant_a, operator_a):
    trigger = make_trigger(tenant_a, operator_a, dedupe_seconds=60, max_runs_per_minute=15)
    event_triggers.handle_new_events()  # the trigger's position in the event stream
    storm(vcenter, 500, entities=20)

    while event_triggers.handle_new_events():
        pass
    firings = EventTriggerFiring.objects.filter(trigger=trigger)
    assert firings.count() == 500
    ran = firings.filter(fired=True)
    assert ran.count() == 15  # the rate limit, not 20 entities or 500 events
    assert len(set(ran.values_list("entity_moref", flat=True))) == 15  # one run per entity
    assert Execution.objects.filter(trigger=Trigger.EVENT, tenant=tenant_a).count() == 15
    reasons = set(firings.filter(fired=False).values_list("reason", flat=True))
    assert any(r.startswith("duplicate:") for r in reasons) and any(r.startswith("rate limit:") for r in reasons)


def test_a_paused_trigger_starts_nothing(vcenter, tenant_a, operator_a):
    trigger = make_trigger(tenant_a, operator_a)
    event_triggers.handle_new_events()
    trigger.enabled = False
    event_triggers.save_trigger(trigger)
    storm(vcenter, 5, entities=5)
    event_triggers.handle_new_events()
    assert not EventTriggerFiring.objects.filter(trigger=trigger).exists()
    assert not Execution.objects.filter(trigger=Trigger.EVENT).exists()


def test_a_tenants_trigger_never_sees_another_tenants_vcenter(vcsim, vcenter, tenant_a, tenant_b, admin_b,
                                                              operator_a):
    theirs = make_trigger(tenant_b, admin_b, event_types=[])
    mine = make_trigger(tenant_a, operator_a, event_types=[])
    event_triggers.handle_new_events()
    storm(vcenter, 3, entities=3)  # vcenter is granted to tenant A only
    event_triggers.handle_new_events()
    assert EventTriggerFiring.objects.filter(trigger=mine).count() == 3
    assert not EventTriggerFiring.objects.filter(trigger=theirs).exists()
    assert not Execution.objects.filter(tenant=tenant_b).exists()


@pytest.mark.django_db(transaction=True)
def test_two_engines_never_fire_one_event_twice(vcsim, tenant_a, operator_a):
    vcenter = make_vcenter(vcsim, [tenant_a])
    trigger = make_trigger(tenant_a, operator_a, dedupe_seconds=0, max_runs_per_minute=1000)
    event_triggers.handle_new_events()
    storm(vcenter, 200, entities=200)

    def engine() -> None:
        try:
            while event_triggers.handle_new_events():
                pass
        finally:
            db_connection.close()

    engines = [threading.Thread(target=engine) for _ in range(2)]
    for thread in engines:
        thread.start()
    for thread in engines:
        thread.join(120)
    event_triggers.handle_new_events()  # whatever a skipped (locked) pass left
    assert EventTriggerFiring.objects.filter(trigger=trigger, fired=True).count() == 200
    assert Execution.objects.filter(trigger=Trigger.EVENT).count() == 200


@pytest.mark.parametrize("parameters, problem", [
    ({"vmId": "{{ event.entity.moref "}, "bad expression"),
    ({"vmId": "{{ vm.moref }}"}, "'vm.moref' is not known here"),
    ({"vmId": "{{ event.nonsense }}"}, "'event.nonsense' is not known here"),
])
def test_parameters_are_checked_when_the_trigger_is_saved(tenant_a, operator_a, parameters, problem):
    with pytest.raises(InvalidParameter, match=problem):
        make_trigger(tenant_a, operator_a, parameters=parameters)


def test_events_before_the_trigger_existed_start_nothing(vcenter, tenant_a, operator_a):
    storm(vcenter, 3, entities=3)
    VSphereEvent.objects.filter(vcenter=vcenter).update(created_time=timezone.now() - dt.timedelta(hours=1))
    trigger = make_trigger(tenant_a, operator_a)
    event_triggers.handle_new_events()
    event_triggers.handle_new_events()
    assert not EventTriggerFiring.objects.filter(trigger=trigger).exists()
