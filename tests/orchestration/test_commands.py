"""The scripting commands print exactly one JSON object each."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from orchestration.models import AccessKey, Membership, Role

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_tenant_project_and_key_from_scripts():
    tenant = run("createtenant", "--name", "Acme", "--email", "ops@acme.test")
    assert set(tenant) == {"CompanyID", "Name"} and tenant["Name"] == "Acme"
    project = run("createproject", "--company-id", str(tenant["CompanyID"]), "--name", "web")
    assert project["ProjectID"].startswith("org-")
    key = run("createaccesskey", "--company-id", str(tenant["CompanyID"]), "--username", "ci", "--role", "operator")
    stored = AccessKey.objects.get(pk=key["AccessKeyId"])
    assert stored.secret == key["AccessKeySecret"]
    assert Membership.objects.get(user__username="ci").role == Role.OPERATOR
    again = run("createaccesskey", "--company-id", str(tenant["CompanyID"]), "--username", "ci")
    assert again["AccessKeyId"] != key["AccessKeyId"]
    assert Membership.objects.filter(user__username="ci").count() == 1


def test_commands_reject_unknown_tenant_and_duplicates():
    with pytest.raises(CommandError, match="no tenant with CompanyID 999"):
        run("createproject", "--company-id", "999", "--name", "x")
    with pytest.raises(CommandError, match="no tenant"):
        run("createaccesskey", "--company-id", "999", "--username", "u")
    run("createtenant", "--name", "Acme")
    with pytest.raises(CommandError, match="already exists"):
        run("createtenant", "--name", "Acme")


def test_ensureadmin_prints_generated_credentials(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    first = run("ensureadmin")
    assert first["created"] and first["username"] == "admin" and len(first["password"]) >= 12
    assert run("ensureadmin") == {"username": "admin", "created": False}
