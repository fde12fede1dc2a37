"""Native API over tenancy: isolation between tenants, role rules, error bodies."""
from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orchestration.models import AccessKey, Membership, Project, Region, Role, Tenant
from orchestration.services import tenancy
from tests.envelopes import assert_error

pytestmark = pytest.mark.django_db




@pytest.fixture
def objects_b(tenant_b, admin_b):
    """One object of every tenant-owned kind in tenant B."""
    project = Project.objects.create(tenant=tenant_b, name="b-proj")
    membership = Membership.objects.get(user=admin_b, tenant=tenant_b)
    key = tenancy.issue_access_key(tenant_b, admin_b).key
    return {"tenants": tenant_b.pk, "projects": project.pk, "members": membership.pk, "access-keys": key.pk}


@pytest.mark.parametrize("endpoint", ["tenants", "projects", "members", "access-keys"])
def test_other_tenants_objects_are_invisible(api, admin_a, objects_b, endpoint):
    client = api.as_user(admin_a)
    foreign_id = objects_b[endpoint]
    assert_error(client.get(f"/api/v1/{endpoint}/{foreign_id}/"), 404, "not_found")
    assert_error(client.patch(f"/api/v1/{endpoint}/{foreign_id}/", {}, format="json"), 404)
    assert_error(client.delete(f"/api/v1/{endpoint}/{foreign_id}/"), 404)
    listed = client.get(f"/api/v1/{endpoint}/").json()["results"]
    assert foreign_id not in [row["id"] for row in listed]


def test_superuser_sees_every_tenant(api, superuser, tenant_a, tenant_b):
    ids = [row["id"] for row in api.as_user(superuser).get("/api/v1/tenants/").json()["results"]]
    assert ids == [tenant_a.pk, tenant_b.pk]


def test_anonymous_gets_401_envelope():
    assert_error(APIClient().get("/api/v1/projects/"), 401, "not_authenticated")


def test_token_authentication(admin_a, tenant_a):
    token = Token.objects.create(user=admin_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/tenants/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [tenant_a.pk]


class TestRoles:
    def test_viewer_reads_but_cannot_create(self, api, viewer_a, tenant_a):
        client = api.as_user(viewer_a)
        Project.objects.create(tenant=tenant_a, name="existing")
        assert client.get("/api/v1/projects/").json()["count"] == 1
        assert_error(client.post("/api/v1/projects/", {"tenant": tenant_a.pk, "name": "x"}), 403, "permission_denied")
        assert not Project.objects.filter(name="x").exists()

    def test_operator_cannot_manage(self, api, operator_a, tenant_a):
        project = Project.objects.create(tenant=tenant_a, name="p")
        client = api.as_user(operator_a)
        assert_error(client.patch(f"/api/v1/projects/{project.pk}/", {"name": "renamed"}), 403)
        assert_error(client.delete(f"/api/v1/projects/{project.pk}/"), 403)
        project.refresh_from_db()
        assert project.name == "p"

    def test_admin_manages_projects(self, api, admin_a, tenant_a):
        client = api.as_user(admin_a)
        created = client.post("/api/v1/projects/", {"tenant": tenant_a.pk, "name": "web"})
        assert created.status_code == 201, created.content
        project_id = created.json()["id"]
        assert project_id.startswith("org-")
        assert client.patch(f"/api/v1/projects/{project_id}/", {"name": "web2"}).json()["name"] == "web2"
        assert client.delete(f"/api/v1/projects/{project_id}/").status_code == 204

    def test_admin_cannot_create_in_foreign_tenant(self, api, admin_a, tenant_b):
        body = assert_error(api.as_user(admin_a).post("/api/v1/projects/", {"tenant": tenant_b.pk, "name": "x"}), 400)
        assert "tenant" in body["detail"]

    def test_only_superuser_creates_tenants_and_regions(self, api, admin_a, superuser):
        assert_error(api.as_user(admin_a).post("/api/v1/tenants/", {"name": "New"}), 403)
        assert_error(api.as_user(admin_a).post("/api/v1/regions/", {"id": "cn-bj2", "alias": "Beijing"}), 403)
        client = api.as_user(superuser)
        assert client.post("/api/v1/tenants/", {"name": "New"}).status_code == 201
        assert client.post("/api/v1/regions/", {"id": "cn-bj2", "alias": "Beijing"}).status_code == 201

    def test_tenant_admin_edits_own_tenant(self, api, admin_a, tenant_a):
        response = api.as_user(admin_a).patch(f"/api/v1/tenants/{tenant_a.pk}/", {"email": "new@acme.test"})
        assert response.status_code == 200
        tenant_a.refresh_from_db()
        assert tenant_a.email == "new@acme.test"

    def test_tenant_admin_cannot_disable_own_tenant(self, api, admin_a, tenant_a):
        client = api.as_user(admin_a)
        body = assert_error(client.put(f"/api/v1/tenants/{tenant_a.pk}/", {"name": tenant_a.name, "enabled": False},
                                       format="json"), 403, "forbidden")
        assert "platform staff" in body["message"]
        assert_error(client.patch(f"/api/v1/tenants/{tenant_a.pk}/", {"enabled": False}, format="json"), 403)
        tenant_a.refresh_from_db()
        assert tenant_a.enabled
        # Sending the unchanged flag along with a real edit is fine.
        edited = client.put(f"/api/v1/tenants/{tenant_a.pk}/", {"name": "Acme 2", "enabled": True}, format="json")
        assert edited.status_code == 200, edited.content
        assert client.get("/api/v1/tenants/").json()["count"] == 1

    def test_superuser_disables_and_enables_a_tenant(self, api, superuser, tenant_a):
        client = api.as_user(superuser)
        assert client.patch(f"/api/v1/tenants/{tenant_a.pk}/", {"enabled": False}, format="json").status_code == 200
        tenant_a.refresh_from_db()
        assert not tenant_a.enabled
        assert client.patch(f"/api/v1/tenants/{tenant_a.pk}/", {"enabled": True}, format="json").status_code == 200

    def test_members_of_disabled_tenant_lose_access(self, api, admin_a, tenant_a):
        Tenant.objects.filter(pk=tenant_a.pk).update(enabled=False)
        assert api.as_user(admin_a).get("/api/v1/tenants/").json()["count"] == 0


class TestAccessKeys:
    def test_secret_is_returned_once_and_encrypted_at_rest(self, api, operator_a, tenant_a):
        client = api.as_user(operator_a)
        created = client.post("/api/v1/access-keys/", {"tenant": tenant_a.pk, "description": "ci"})
        assert created.status_code == 201, created.content
        key_id, secret = created.json()["id"], created.json()["secret"]
        assert len(secret) == 40
        assert "secret" not in client.get(f"/api/v1/access-keys/{key_id}/").json()
        assert all("secret" not in row for row in client.get("/api/v1/access-keys/").json()["results"])
        assert "secret" not in client.patch(f"/api/v1/access-keys/{key_id}/", {"enabled": False}).json()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM orchestration_accesskey WHERE id = %s", [key_id])
            stored = cursor.fetchone()[0]
        assert secret not in stored
        assert AccessKey.objects.get(pk=key_id).secret == secret

    def test_members_see_only_their_own_keys_admins_see_all(self, api, admin_a, operator_a, viewer_a, tenant_a):
        mine = tenancy.issue_access_key(tenant_a, operator_a).key
        theirs = tenancy.issue_access_key(tenant_a, viewer_a).key
        listed = {row["id"] for row in api.as_user(operator_a).get("/api/v1/access-keys/").json()["results"]}
        assert listed == {mine.pk}
        assert_error(api.as_user(operator_a).delete(f"/api/v1/access-keys/{theirs.pk}/"), 404)
        listed = {row["id"] for row in api.as_user(admin_a).get("/api/v1/access-keys/").json()["results"]}
        assert listed == {mine.pk, theirs.pk}
        assert api.as_user(admin_a).delete(f"/api/v1/access-keys/{theirs.pk}/").status_code == 204

    def test_cannot_create_key_in_foreign_tenant(self, api, operator_a, tenant_b):
        assert_error(api.as_user(operator_a).post("/api/v1/access-keys/", {"tenant": tenant_b.pk}), 400)
        assert not AccessKey.objects.exists()


class TestErrorEnvelope:
    def test_validation_error_names_the_field(self, api, admin_a):
        body = assert_error(api.as_user(admin_a).post("/api/v1/projects/", {"name": "x"}), 400, "invalid")
        assert body["message"].startswith("tenant:")
        assert "tenant" in body["detail"]

    def test_method_not_allowed(self, api, admin_a):
        assert_error(api.as_user(admin_a).put("/api/v1/access-keys/nope/", {}), 405, "method_not_allowed")

    def test_duplicate_membership_is_rejected(self, api, admin_a, tenant_a):
        client = api.as_user(admin_a)
        body = assert_error(
            client.post("/api/v1/members/", {"tenant": tenant_a.pk, "user": "alice", "role": "viewer"}), 400
        )
        assert "unique" in body["message"].lower()
        assert Membership.objects.get(user=admin_a).role == Role.ADMIN

    def test_throttled_is_429_with_retry_after(self):
        from rest_framework.exceptions import Throttled

        from orchestration.api.errors import exception_handler

        response = exception_handler(Throttled(wait=7), {})
        assert response.status_code == 429
        assert response.data["code"] == "throttled" and response.data["detail"] == {"retry_after_seconds": 7}

    def test_a_token_over_its_rate_gets_429_in_the_envelope_with_retry_after(self, admin_a, monkeypatch):
        from django.core.cache import cache
        from rest_framework.throttling import SimpleRateThrottle

        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
        cache.clear()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_a).key}")
        assert [client.get("/api/v1/tenants/").status_code for _ in range(2)] == [200, 200]
        response = client.get("/api/v1/tenants/")
        body = assert_error(response, 429, "throttled")
        wait = body["detail"]["retry_after_seconds"]
        assert 0 < wait <= 60 and response["Retry-After"] == str(wait)
        cache.clear()

    def test_unexpected_error_is_500_envelope_not_a_traceback(self, api, admin_a, monkeypatch):
        from orchestration.api.views import ProjectViewSet

        def explode(self, request, *args, **kwargs):
            raise RuntimeError("secret internals")

        monkeypatch.setattr(ProjectViewSet, "list", explode)
        response = api.as_user(admin_a).get("/api/v1/projects/")
        body = assert_error(response, 500, "server_error")
        assert "secret internals" not in response.content.decode()
        # Only a request id, the same one the server log names next to the traceback.
        assert body["detail"] == {"request_id": response["X-Request-Id"]}

    def test_database_conflict_becomes_409(self):
        from django.db import IntegrityError

        from orchestration.api.errors import exception_handler

        response = exception_handler(IntegrityError("duplicate key"), {})
        assert response.status_code == 409
        assert response.data["code"] == "conflict"

    def test_unknown_api_path_is_json_404(self, api, admin_a):
        assert_error(api.as_user(admin_a).get("/api/v1/no-such-thing/"), 404, "not_found")

    def test_pagination_page_size(self, api, admin_a, tenant_a):
        for index in range(5):
            Project.objects.create(tenant=tenant_a, name=f"p{index}")
        page = api.as_user(admin_a).get("/api/v1/projects/?page_size=2&page=2").json()
        assert page["count"] == 5
        assert [row["name"] for row in page["results"]] == ["p2", "p3"]

    def test_filter_by_name(self, api, admin_a, tenant_a):
        Project.objects.create(tenant=tenant_a, name="frontend")
        Project.objects.create(tenant=tenant_a, name="backend")
        rows = api.as_user(admin_a).get("/api/v1/projects/?name=front").json()["results"]
        assert [row["name"] for row in rows] == ["frontend"]


def test_regions_are_readable_by_members(api, viewer_a):
    Region.objects.create(id="cn-bj2", alias="Beijing 2")
    rows = api.as_user(viewer_a).get("/api/v1/regions/").json()["results"]
    assert rows == [{"id": "cn-bj2", "alias": "Beijing 2", "created_at": rows[0]["created_at"]}]


@pytest.mark.parametrize("user", ["viewer_a", "admin_a"])
def test_region_writes_by_non_superusers_are_403_envelopes(api, request, user):
    Region.objects.create(id="cn-bj2", alias="Beijing 2")
    client = api.as_user(request.getfixturevalue(user))
    for response in (client.patch("/api/v1/regions/cn-bj2/", {"alias": "x"}, format="json"),
                     client.put("/api/v1/regions/cn-bj2/", {"id": "cn-bj2", "alias": "x"}, format="json"),
                     client.delete("/api/v1/regions/cn-bj2/")):
        assert_error(response, 403, "permission_denied")
    assert Region.objects.get(id="cn-bj2").alias == "Beijing 2"
    assert_error(APIClient().delete("/api/v1/regions/cn-bj2/"), 401)


def test_superuser_edits_and_deletes_regions(api, superuser):
    Region.objects.create(id="cn-bj2", alias="Beijing 2")
    client = api.as_user(superuser)
    assert client.patch("/api/v1/regions/cn-bj2/", {"alias": "B2"}, format="json").json()["alias"] == "B2"
    assert client.delete("/api/v1/regions/cn-bj2/").status_code == 204


def test_schema_generates_without_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
