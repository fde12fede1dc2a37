"""Templates over the native API: naming, versions, limits, sharing, filters, analysis."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
import yaml

from orchestration.authorization import SYSTEM
from templates_app.models import ShareType, Template
from templates_app.services import templates as service

pytestmark = pytest.mark.django_db

SLEEP = {
    "FormatVersion": "OOS-2019-06-01",
    "Description": "Sleeps a while",
    "Parameters": {"Seconds": {"Type": "String", "Default": "PT1S"}},
    "Tasks": [{"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "{{ Seconds }}"}}],
}


def content(**changes) -> str:
    return json.dumps({**SLEEP, **changes})


def create(client, tenant, name="nap", body=None, **extra):
    return client.post(
        "/api/v1/templates/", {"tenant": tenant.pk, "name": name, "content": body or content(), **extra}, format="json"
    )


class TestCreate:
    def test_create_json_template(self, api, operator_a, tenant_a):
        response = create(api.as_user(operator_a), tenant_a, tags={"team": "ops"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert re.fullmatch(r"t-[0-9a-f]{12}", body["id"])
        assert body["version"] == "v1"
        assert body["format"] == "JSON"
        assert body["hash"] == hashlib.sha256(content().encode()).hexdigest()
        assert body["description"] == "Sleeps a while"
        assert body["share_type"] == "Private"
        assert body["created_by"] == "oscar"
        assert body["tags"] == {"team": "ops"}

    def test_create_yaml_template(self, api, operator_a, tenant_a):
        response = create(api.as_user(operator_a), tenant_a, body=yaml.safe_dump(SLEEP))
        assert response.status_code == 201, response.content
        assert response.json()["format"] == "YAML"

    @pytest.mark.parametrize("name", ["ACS-Mine", "aliyun_x", "AlibabaOps", "alicloud"])
    def test_reserved_names_refused(self, api, operator_a, tenant_a, name):
        response = create(api.as_user(operator_a), tenant_a, name=name)
        assert response.status_code == 400
        assert "reserved" in response.json()["message"]

    @pytest.mark.parametrize("name", ["has space", "x" * 201, "emoji😀", ""])
    def test_bad_names_refused(self, api, operator_a, tenant_a, name):
        assert create(api.as_user(operator_a), tenant_a, name=name).status_code == 400

    def test_name_unique_per_tenant(self, api, operator_a, admin_b, tenant_a, tenant_b):
        assert create(api.as_user(operator_a), tenant_a).status_code == 201
        duplicate = create(api.as_user(operator_a), tenant_a)
        assert duplicate.status_code == 409
        assert duplicate.json()["code"] == "conflict"
        assert create(api.as_user(admin_b), tenant_b).status_code == 201

    def test_invalid_content_lists_every_problem_with_place(self, api, operator_a, tenant_a):
        bad = {**SLEEP, "Tasks": [{"Name": "a", "Action": "ACS::Foo"}, {"Name": "a", "Action": "ACS::Sleep"}]}
        response = create(api.as_user(operator_a), tenant_a, body=json.dumps(bad))
        assert response.status_code == 400
        problems = response.json()["detail"]["problems"]
        assert any(p.startswith("Tasks[0].Action: ") and "ACS::Foo" in p for p in problems), problems
        assert any(p.startswith("Tasks[1].Name: ") for p in problems), problems
        assert not Template.objects.filter(tenant=tenant_a).exists()

    def test_content_over_64kb_refused(self, api, operator_a, tenant_a):
        big = content(Description="x" * 66_000)
        response = create(api.as_user(operator_a), tenant_a, body=big)
        assert response.status_code == 400
        assert "64" in response.json()["message"]

    def test_viewer_cannot_create(self, api, viewer_a, tenant_a):
        assert create(api.as_user(viewer_a), tenant_a).status_code == 403

    def test_tenant_defaults_to_the_callers_only_tenant(self, api, operator_a, tenant_a):
        client = api.as_user(operator_a)
        response = client.post("/api/v1/templates/", {"name": "nap", "content": content()}, format="json")
        assert response.status_code == 201
        assert response.json()["tenant"] == tenant_a.pk


class TestVersions:
    def test_update_creates_versions_and_diff(self, api, operator_a, tenant_a):
        client = api.as_user(operator_a)
        template_id = create(client, tenant_a).json()["id"]
        updated = client.patch(
            f"/api/v1/templates/{template_id}/", {"content": content(Description="Naps longer")}, format="json"
        )
        assert updated.status_code == 200, updated.content
        assert updated.json()["version"] == "v2"
        assert updated.json()["description"] == "Naps longer"
        same = client.patch(f"/api/v1/templates/{template_id}/", {"content": content(Description="Naps longer")})
        assert same.json()["version"] == "v2"
        versions = client.get(f"/api/v1/templates/{template_id}/versions/").json()
        assert [v["version"] for v in versions] == ["v1", "v2"]
        v1 = client.get(f"/api/v1/templates/{template_id}/versions/v1/").json()
        assert json.loads(v1["content"])["Description"] == "Sleeps a while"
        diff = client.get(f"/api/v1/templates/{template_id}/diff/?old=v1&new=v2").json()["diff"]
        assert '-"Description": "Sleeps a while"' in diff.replace(", ", "\n") or "Sleeps a while" in diff
        assert "Naps longer" in diff
        assert client.get(f"/api/v1/templates/{template_id}/versions/v9/").status_code == 404

    def test_version_limit_is_200(self, operator_a, tenant_a):
        template = service.create_template(tenant=tenant_a, actor=SYSTEM, name="nap", content=content())
        Template.objects.filter(pk=template.pk).update(version=200)
        with pytest.raises(service.LimitExceeded, match="200 versions"):
            service.update_template(template, actor=SYSTEM, content=content(Description="v201"))

    def test_versions_are_immutable(self, operator_a, tenant_a):
        template = service.create_template(tenant=tenant_a, actor=SYSTEM, name="nap", content=content())
        version = template.versions.get()
        version.content = "changed"
        with pytest.raises(ValueError, match="immutable"):
            version.save()

    def test_update_with_invalid_content_keeps_old_version(self, api, operator_a, tenant_a):
        client = api.as_user(operator_a)
        template_id = create(client, tenant_a).json()["id"]
        response = client.patch(f"/api/v1/templates/{template_id}/", {"content": "FormatVersion: nope"})
        assert response.status_code == 400
        assert Template.objects.get(pk=template_id).version == 1


class TestSharingAndIsolation:
    def test_builtins_are_public_readable_and_not_changeable(self, api, operator_a):
        client = api.as_user(operator_a)
        listed = client.get("/api/v1/templates/?share_type=Public&page_size=100").json()["results"]
        names = {row["name"] for row in listed}
        assert {"ACS-VSphere-StopVMsByNamePattern", "ACS-VSphere-RollingReboot"} <= names
        public_id = listed[0]["id"]
        assert client.get(f"/api/v1/templates/{public_id}/").status_code == 200
        response = client.patch(f"/api/v1/templates/{public_id}/", {"content": content()}, format="json")
        assert response.status_code == 403
        assert client.delete(f"/api/v1/templates/{public_id}/").status_code == 403

    def test_foreign_template_is_not_found(self, api, operator_a, admin_b, tenant_b):
        foreign_id = create(api.as_user(admin_b), tenant_b).json()["id"]
        client = api.as_user(operator_a)
        for path in ["", "versions/", "versions/v1/", "diff/?old=v1", "risky-tasks/", "policy/"]:
            assert client.get(f"/api/v1/templates/{foreign_id}/{path}").status_code == 404, path
        assert client.delete(f"/api/v1/templates/{foreign_id}/").status_code == 404
        assert foreign_id not in {r["id"] for r in client.get("/api/v1/templates/?page_size=100").json()["results"]}


class TestListing:
    @pytest.fixture
    def three(self, api, operator_a, tenant_a):
        client = api.as_user(operator_a)
        for name, tags in [("alpha", {"env": "prod"}), ("beta", {"env": "dev"}), ("gamma-alpha", {"team": "x"})]:
            assert create(client, tenant_a, name=name, tags=tags).status_code == 201
        Template.objects.filter(name="beta").update(total_execution_count=5)
        return client

    def names(self, client, query):
        return [r["name"] for r in client.get(f"/api/v1/templates/?share_type=Private&{query}").json()["results"]]

    def test_filters(self, three):
        assert self.names(three, "name=alpha") == ["alpha", "gamma-alpha"]
        assert self.names(three, "tag=env:prod") == ["alpha"]
        assert self.names(three, "tag=env") == ["alpha", "beta"]
        assert self.names(three, "created_by=oscar&content_format=JSON") == ["alpha", "beta", "gamma-alpha"]
        assert self.names(three, "created_after=2000-01-01T00:00:00Z&has_trigger=false") == [
            "alpha", "beta", "gamma-alpha"
        ]
        assert self.names(three, "created_before=2000-01-01T00:00:00Z") == []

    def test_sorting(self, three):
        assert self.names(three, "ordering=-total_execution_count")[0] == "beta"
        assert self.names(three, "ordering=-name") == ["gamma-alpha", "beta", "alpha"]


class TestAnalysis:
    def test_validate_endpoint(self, api, viewer_a):
        client = api.as_user(viewer_a)
        ok = client.post("/api/v1/templates/validate/", {"content": content()}, format="json").json()
        assert ok["valid"] is True
        assert ok["tasks"][0]["Name"] == "nap" and "Seconds" in ok["parameters"]
        bad = client.post("/api/v1/templates/validate/", {"content": "FormatVersion: OOS-1999\nTasks: []"}).json()
        assert bad["valid"] is False
        assert any(p["place"] == "FormatVersion" for p in bad["problems"])

    def test_risky_tasks_and_policy_of_builtin(self, api, operator_a):
        client = api.as_user(operator_a)
        template = Template.objects.get(name="ACS-VSphere-RevertGroupToSnapshot", share_type=ShareType.PUBLIC)
        risky = client.get(f"/api/v1/templates/{template.pk}/risky-tasks/").json()["risky_tasks"]
        assert any(r["API"] == "RevertToSnapshot" for r in risky), risky
        policy = client.get(f"/api/v1/templates/{template.pk}/policy/").json()
        actions = {a for s in policy["policy"]["Statement"] for a in s["Action"]}
        assert "vsphere:RevertToSnapshot" in actions

    def test_actions_catalog(self, api, viewer_a):
        client = api.as_user(viewer_a)
        names = {row["name"] for row in client.get("/api/v1/actions/").json()}
        assert {"ACS::Sleep", "ACS::Approve", "ACS::VSphere::StopVM"} <= names
        only_vsphere = client.get("/api/v1/actions/?type=Product.VSphere").json()
        assert only_vsphere and all(row["type"] == "Product.VSphere" for row in only_vsphere)
        stop = client.get("/api/v1/actions/ACS::VSphere::StopVM/").json()
        assert stop["risk"] == "High"
        assert client.get("/api/v1/actions/ACS::Nope/").status_code == 404


def test_builtin_templates_load_and_validate():
    from templates_app.services.builtin import builtin_files, sync_builtin_templates

    assert len(builtin_files()) >= 5
    assert set(sync_builtin_templates().values()) == {"unchanged"}
    for template in Template.objects.filter(share_type=ShareType.PUBLIC):
        service.checked_content(template.content)
