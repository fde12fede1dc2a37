"""Event triggers in the console: create from a template ("Run when…"), bad input on its field,
pause and resume, delete after a confirmation, the events page, and another tenant's trigger as missing."""
from __future__ import annotations

import re

import pytest
from django.utils import timezone

from orchestration.authorization import SYSTEM
from orchestration.models import EventTrigger
from templates_app.services.templates import create_template
from tests.console.conftest import VALID
from vsphere.models import VSphereEvent

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def template(tenant_a):
    return create_template(tenant=tenant_a, actor=SYSTEM, name="baseline", content=VALID)


def form(template, **changes) -> dict:
    data = {"template": template.pk, "name": "on power-off", "event_types": "VmPoweredOffEvent, VmCreatedEvent",
            "entity_kind": "VirtualMachine", "name_pattern": "web-*", "path_pattern": "", "alarm_name": "",
            "alarm_status": "", "parameters": '{"Duration": "PT1S"}', "dedupe_seconds": "60",
            "max_runs_per_minute": "10"}
    data.update(changes)
    return data


def test_run_when_creates_an_event_trigger_for_the_template(client_as, operator_a, template):
    client = client_as(operator_a)
    detail = client.get(f"/console/templates/{template.pk}/")
    assert f"/console/event-triggers/?template={template.pk}" in detail.content.decode()
    page = client.get(f"/console/event-triggers/?template={template.pk}")
    assert f'<option value="{template.pk}" selected>' in page.content.decode()

    response = client.post("/console/event-triggers/", form(template))
    assert response.status_code == 302
    trigger = EventTrigger.objects.get(name="on power-off")
    assert trigger.event_types == ["VmPoweredOffEvent", "VmCreatedEvent"]
    assert trigger.owner == operator_a and trigger.tenant == template.tenant
    listed = text(client.get("/console/event-triggers/"))
    assert "on power-off" in listed and "VmPoweredOffEvent, VmCreatedEvent" in listed


@pytest.mark.parametrize("changes, message", [
    ({"parameters": "{not json"}, "Not valid JSON"),
    ({"parameters": '{"Duration": "{{ vm.name }}"}'}, "is not known here"),
    ({"name": ""}, "This field is required"),
    ({"dedupe_seconds": "-1"}, "greater than or equal to 0"),
])
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(client_as, operator_a, template, changes, message):
    response = client_as(operator_a).post("/console/event-triggers/", form(template, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EventTrigger.objects.exists()


def test_pause_resume_and_delete_after_confirmation(client_as, operator_a, template):
    client = client_as(operator_a)
    client.post("/console/event-triggers/", form(template))
    trigger = EventTrigger.objects.get()
    client.post(f"/console/event-triggers/{trigger.pk}/act/", {"action": "pause"})
    trigger.refresh_from_db()
    assert not trigger.enabled
    client.post(f"/console/event-triggers/{trigger.pk}/act/", {"action": "resume"})
    trigger.refresh_from_db()
    assert trigger.enabled
    confirm = text(client.get(f"/console/event-triggers/{trigger.pk}/?confirm=delete"))
    assert "Delete the event trigger on power-off?" in confirm
    client.post(f"/console/event-triggers/{trigger.pk}/act/", {"action": "delete"})
    assert not EventTrigger.objects.exists()


def test_viewers_cannot_create_and_other_tenants_see_nothing(client_as, viewer_a, operator_a, admin_b, template):
    assert client_as(viewer_a).post("/console/event-triggers/", form(template)).status_code == 403
    client_as(operator_a).post("/console/event-triggers/", form(template))
    trigger = EventTrigger.objects.get()
    other = client_as(admin_b)
    assert other.get(f"/console/event-triggers/{trigger.pk}/").status_code == 404
    assert other.post(f"/console/event-triggers/{trigger.pk}/act/", {"action": "delete"}).status_code == 404
    assert "on power-off" not in other.get("/console/event-triggers/").content.decode()


def test_the_events_page_lists_the_granted_vcenters_events_newest_first(client_as, operator_a, admin_b,
                                                                          sim_vcenter):
    now = timezone.now()
    VSphereEvent.objects.bulk_create([
        VSphereEvent(vcenter=sim_vcenter, key=key, event_type="VmPoweredOffEvent", created_time=now,
                     entity_type="VirtualMachine", entity_moref=f"vm-{key}", entity_name=f"web-{key}",
                     message=f"web-{key} is powered off") for key in range(1, 61)])
    page = text(client_as(operator_a).get("/console/vsphere/events/?type=VmPoweredOffEvent"))
    assert page.index("web-60") < page.index("web-59")
    assert "web-10 " not in page and "Older events" in page  # 50 a page
    older = text(client_as(operator_a).get("/console/vsphere/events/?type=VmPoweredOffEvent&before=11"))
    assert "web-10" in older and "web-11 " not in older
    assert "web-60" not in client_as(admin_b).get("/console/vsphere/events/").content.decode()
