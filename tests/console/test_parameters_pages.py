"""Parameter store pages: list by kind, create, edit (a new version), delete after confirmation;
a secret's value never appears in a page."""
from __future__ import annotations

import pytest
from django.test import Client

from orchestration.authorization import SYSTEM
from orchestration.models import Parameter
from orchestration.services import parameters

pytestmark = pytest.mark.django_db

SECRET = "correct-horse-battery-staple"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_edit_and_delete_a_secret_without_ever_showing_it(operator_a, tenant_a):
    client = signed_in(operator_a)
    form = client.get("/console/parameters/new/?kind=secret")
    assert form.status_code == 200 and 'type="password"' in form.content.decode()
    created = client.post("/console/parameters/new/?kind=secret", {"name": "db/root", "value": SECRET})
    assert created.status_code == 302 and created["Location"].endswith("?kind=secret")
    parameter = Parameter.objects.get(tenant=tenant_a, name="db/root")
    assert parameter.secret and parameter.version == 1

    listed = client.get("/console/parameters/?kind=secret")
    assert "db/root" in listed.content.decode() and SECRET not in listed.content.decode()
    edit = client.get(f"/console/parameters/{parameter.pk}/edit/")
    assert edit.status_code == 200 and SECRET not in edit.content.decode()
    assert client.post(f"/console/parameters/{parameter.pk}/edit/", {"value": SECRET + "!", "description": "x"}
                       ).status_code == 302
    assert Parameter.objects.get(pk=parameter.pk).version == 2
    assert parameters.secret_values(tenant_a.pk, {"db/root": 2}) == {"db/root": SECRET + "!"}
    assert f'data-parameter-id="{parameter.pk}"' in client.get("/console/parameters/?kind=secret").content.decode()
    assert f'data-parameter-id="{parameter.pk}"' not in client.get("/console/parameters/").content.decode()

    confirm = client.get(f"/console/parameters/{parameter.pk}/delete/")
    assert confirm.status_code == 200 and "db/root" in confirm.content.decode()
    assert Parameter.objects.filter(pk=parameter.pk).exists(), "asking is not deleting"
    assert client.post(f"/console/parameters/{parameter.pk}/delete/").status_code == 302
    assert not Parameter.objects.filter(pk=parameter.pk).exists()


def test_plain_parameters_show_their_value_and_the_rules_answer_at_the_field(operator_a, viewer_a, tenant_a):
    client = signed_in(operator_a)
    bad = client.post("/console/parameters/new/", {"name": "x", "type": "String", "value": "v"})
    assert bad.status_code == 400 and "2–180" in bad.content.decode()
    assert client.post("/console/parameters/new/", {"name": "region", "type": "String", "value": "eu-1",
                                                    "constraints": '{"MaxLength": 8}'}).status_code == 302
    parameter = Parameter.objects.get(name="region")
    assert "eu-1" in client.get(f"/console/parameters/{parameter.pk}/edit/").content.decode()
    too_long = client.post(f"/console/parameters/{parameter.pk}/edit/", {"value": "much-too-long"})
    assert too_long.status_code == 400 and "MaxLength" in too_long.content.decode()

    looker = signed_in(viewer_a)
    assert "region" in looker.get("/console/parameters/").content.decode()
    assert looker.get("/console/parameters/new/").status_code == 403
    assert looker.post(f"/console/parameters/{parameter.pk}/delete/").status_code == 404
    assert Parameter.objects.filter(pk=parameter.pk).exists()


def test_the_editor_reports_an_unknown_name_at_its_place(operator_a, tenant_a):
    parameters.create(tenant=tenant_a, actor=SYSTEM, name="known", value="v", type="String", secret=False)
    content = ("FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: pause\n    Action: ACS::Sleep\n"
               "    Properties:\n      Duration: '{{ oos:known }}{{ oos-secret:unknown }}'\n")
    page = signed_in(operator_a).post("/console/templates/validate/", {"content": content}).content.decode()
    assert "unknown parameter &#x27;oos-secret:unknown&#x27;" in page and "oos:known" not in page
