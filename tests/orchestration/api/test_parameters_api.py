"""Parameters and secret parameters on the native API: versions, constraints, write-only secrets,
decryption for tenant admins only (audited), tenant scoping and the admin's write-only field."""
from __future__ import annotations

import pytest
from django.test import Client

from orchestration.models import AuditEvent, Parameter

pytestmark = pytest.mark.django_db

PARAMS = "/api/v1/parameters/"
SECRETS = "/api/v1/secret-parameters/"
SECRET = "hunter2-but-longer"


def test_plain_parameters_keep_versions_and_check_constraints(api, operator_a, viewer_a):
    client = api.as_user(operator_a)
    made = client.post(PARAMS, {"name": "app/size", "type": "String", "value": "small",
                                "constraints": {"AllowedValues": ["small", "large"]}}, format="json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["version"] == 1 and "value" not in made.json()
    refused = client.patch(f"{PARAMS}{pk}/", {"value": "huge"}, format="json")
    assert refused.status_code == 400 and "AllowedValues" in refused.content.decode()
    assert client.patch(f"{PARAMS}{pk}/", {"value": "large"}, format="json").json()["version"] == 2

    reader = api.as_user(viewer_a)
    assert (reader.get(f"{PARAMS}{pk}/").json()["value"], reader.get(f"{PARAMS}{pk}/").json()["version"]) == (
        "large", 2)
    assert reader.get(f"{PARAMS}{pk}/?version=1").json()["value"] == "small"
    assert reader.get(f"{PARAMS}{pk}/?version=9").status_code == 404
    assert reader.get(f"{PARAMS}{pk}/?version=x").status_code == 400
    assert reader.patch(f"{PARAMS}{pk}/", {"value": "small"}, format="json").status_code == 403
    assert [p["name"] for p in reader.get(PARAMS, {"path": "app/"}).json()["results"]] == ["app/size"]

    client = api.as_user(operator_a)  # one client, signed in again
    bad = client.post(PARAMS, {"name": "OOS-mine", "type": "String", "value": "x"}, format="json")
    assert bad.status_code == 400 and "Name" in bad.content.decode()
    assert client.delete(f"{PARAMS}{pk}/").status_code == 204
    assert not Parameter.objects.filter(pk=pk).exists()


def test_secret_values_are_write_only_but_for_an_admin_who_asks(api, operator_a, admin_a, admin_b, tenant_a):
    client = api.as_user(operator_a)
    made = client.post(SECRETS, {"name": "guest/admin", "value": SECRET}, format="json")
    assert made.status_code == 201 and made.json()["type"] == "Secret"
    pk = made.json()["id"]
    for answer in (made, client.get(SECRETS), client.get(f"{SECRETS}{pk}/")):
        assert SECRET not in answer.content.decode()
    assert client.get(PARAMS).json()["results"] == [], "a secret is not a plain parameter"
    assert client.get(f"{PARAMS}{pk}/").status_code == 404
    refused = client.get(f"{SECRETS}{pk}/?with_decryption=true")
    assert refused.status_code == 403 and SECRET not in refused.content.decode()

    assert api.as_user(admin_a).get(f"{SECRETS}{pk}/?with_decryption=true").json()["value"] == SECRET
    assert api.as_user(admin_b).get(f"{SECRETS}{pk}/?with_decryption=true").status_code == 404
    reads = AuditEvent.objects.filter(action="RevealSecretParameter").order_by("id")
    assert [(e.actor, e.result, e.tenant_id, e.face) for e in reads] == [
        ("oscar", "failure", tenant_a.pk, "native"), ("alice", "success", tenant_a.pk, "native")]


def test_the_admin_never_shows_a_secret_and_writes_through_the_rules(api, admin_a, tenant_a):
    made = api.as_user(admin_a).post(SECRETS, {"name": "vault", "value": SECRET}, format="json").json()
    browser = Client()
    browser.force_login(admin_a)
    page = browser.get(f"/admin/orchestration/parameter/{made['id']}/change/")
    assert page.status_code == 200 and SECRET not in page.content.decode()
    saved = browser.post(f"/admin/orchestration/parameter/{made['id']}/change/",
                         {"description": "rotated", "value": SECRET + "-2"})
    assert saved.status_code == 302
    parameter = Parameter.objects.get(pk=made["id"])
    assert (parameter.version, parameter.description) == (2, "rotated")
    kept = browser.post(f"/admin/orchestration/parameter/{made['id']}/change/", {"description": "same", "value": ""})
    assert kept.status_code == 302 and Parameter.objects.get(pk=made["id"]).version == 2
    added = browser.post("/admin/orchestration/parameter/add/", {
        "tenant": tenant_a.pk, "name": "ACS-nope", "type": "String", "value": "x", "constraints": "{}"})
    assert added.status_code == 200 and "may not start with" in added.content.decode()
