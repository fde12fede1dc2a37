"""Timer triggers over the native API: CRUD through the service, validation, tenancy and roles."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from orchestration.authorization import SYSTEM
from orchestration.models import TimerTrigger
from templates_app.services.templates import create_template
from tests.envelopes import assert_error

from .conftest import SIMPLE

pytestmark = pytest.mark.django_db

URL = "/api/v1/timer-triggers/"


@pytest.fixture
def template(make_template):
    return make_template(SIMPLE, name="nightly")


def create(client, template, **body):
    return client.post(URL, {"template": template.pk, "name": "nightly", "cron": "0 3 * * *", **body}, format="json")


def test_create_read_update_delete(api, operator_a, tenant_a, template):
    client = api.as_user(operator_a)
    response = create(client, template, parameters={}, safety_check="Skip")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tenant"] == tenant_a.pk and body["owner"] == "oscar" and body["enabled"] is True
    assert body["next_run_at"] is not None and body["last_execution"] is None
    template.refresh_from_db()
    assert template.has_trigger is True
    trigger_url = f"{URL}{body['id']}/"
    assert client.get(trigger_url).json()["name"] == "nightly"
    changed = client.patch(trigger_url, {"enabled": False, "next_run_at": "2000-01-01T00:00:00Z"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["enabled"] is False and changed.json()["next_run_at"] is None  # read-only, recomputed
    template.refresh_from_db()
    assert template.has_trigger is False
    assert client.delete(trigger_url).status_code == 204
    assert not TimerTrigger.objects.exists()


def test_run_once(api, operator_a, template):
    at = timezone.now() + dt.timedelta(hours=1)
    response = create(api.as_user(operator_a), template, cron="", run_at=at.isoformat())
    assert response.status_code == 201, response.content
    assert response.json()["next_run_at"] is not None


@pytest.mark.parametrize(("changes", "place"), [
    ({"cron": "every day"}, "cron"),
    ({"cron": ""}, "cron"),
    ({"cron": "", "run_at": "2001-01-01T00:00:00Z"}, "run_at"),
])
def test_validation_errors_name_the_field(api, operator_a, template, changes, place):
    body = assert_error(create(api.as_user(operator_a), template, **changes), 400, "invalid")
    assert body["detail"]["place"] == place
    assert not TimerTrigger.objects.exists()


def test_public_template_and_foreign_template(api, operator_a, tenant_b):
    public = create_template(tenant=None, actor=SYSTEM, name="ACS-Nightly", content=json.dumps(SIMPLE),
                             builtin=True)
    assert create(api.as_user(operator_a), public).status_code == 201
    theirs = create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=json.dumps(SIMPLE))
    assert_error(create(api, theirs), 400, "invalid")


def test_roles_and_tenancy(api, operator_a, viewer_a, admin_b, tenant_b, template):
    assert_error(create(api.as_user(viewer_a), template), 403)
    trigger_id = create(api.as_user(operator_a), template).json()["id"]
    viewer = api.as_user(viewer_a)
    assert viewer.get(f"{URL}{trigger_id}/").status_code == 200
    assert_error(viewer.patch(f"{URL}{trigger_id}/", {"enabled": False}, format="json"), 403)
    assert_error(viewer.delete(f"{URL}{trigger_id}/"), 403)
    stranger = api.as_user(admin_b)
    assert stranger.get(URL).json()["results"] == []
    assert_error(stranger.get(f"{URL}{trigger_id}/"), 404)
    assert_error(stranger.patch(f"{URL}{trigger_id}/", {"enabled": False}, format="json"), 404)
    assert_error(stranger.delete(f"{URL}{trigger_id}/"), 404)
    assert_error(create(stranger, template, tenant=tenant_b.pk), 400)  # tenant A's template is invisible to B
    assert TimerTrigger.objects.get().enabled is True


def test_editing_takes_ownership(api, operator_a, admin_a, template):
    trigger_id = create(api.as_user(operator_a), template).json()["id"]
    response = api.as_user(admin_a).patch(f"{URL}{trigger_id}/", {"name": "renamed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == "alice"


def test_filters(api, operator_a, template):
    client = api.as_user(operator_a)
    create(client, template, name="alpha")
    create(client, template, name="beta", enabled=False)
    assert [row["name"] for row in client.get(URL, {"name": "alp"}).json()["results"]] == ["alpha"]
    assert [row["name"] for row in client.get(URL, {"enabled": "false"}).json()["results"]] == ["beta"]
    assert len(client.get(URL, {"template": template.pk}).json()["results"]) == 2


@pytest.mark.parametrize("tenant", [None, "other"])
def test_a_trigger_stays_in_its_tenant(api, operator_a, tenant_a, tenant_b, template, tenant):
    client = api.as_user(operator_a)
    trigger_url = f"{URL}{create(client, template).json()['id']}/"
    moved = client.patch(trigger_url, {"tenant": tenant_b.pk if tenant else None, "name": "renamed"}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["tenant"] == tenant_a.pk and moved.json()["name"] == "renamed"
