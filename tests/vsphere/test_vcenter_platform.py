"""vCenters belong to the platform: tenants see granted ones, only platform staff change or grant them.

The central promise: a tenant admin cannot make the service connect anywhere new, and
the stored password only ever goes to the endpoint it was entered for. A local TCP
listener stands in for an attacker's endpoint and must record no connection at all.
"""
from __future__ import annotations

import importlib
import json
import socket
import threading
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.envelopes import assert_error
from tests.simulator import make_vcenter
from vsphere.models import InventoryObject, VCenter
from vsphere.services.inventory_sync import sync_inventory
from vsphere.services.vcenters import check_connection

pytestmark = pytest.mark.django_db

CREDENTIAL_FIELDS = {"host", "port", "protocol", "user", "password", "verify_tls", "tenants"}


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def run_command(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def admin_form(vcenter: VCenter, **changes) -> dict:
    """The admin change form of ``vcenter`` as a browser would post it (password left empty)."""
    data = {"name": vcenter.name, "host": vcenter.host, "port": vcenter.port, "protocol": vcenter.protocol,
            "user": vcenter.user, "password": "", "region": vcenter.region_id or "",
            "tenants": [t.pk for t in vcenter.tenants.all()], "sync_enabled": "on",
            "sync_interval": vcenter.sync_interval, "inventory_interval": vcenter.inventory_interval,
            "task_retention_days": vcenter.task_retention_days, "event_retention_days": vcenter.event_retention_days}
    if vcenter.verify_tls:
        data["verify_tls"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class TestTenantCannotRedirect:
    def test_no_path_makes_the_service_connect_to_a_new_endpoint(self, api, client, admin_a, operator_a, vcenter,
                                                                 listener, tenant_a):
        before = VCenter.objects.values("name", "host", "port", "protocol", "user", "password").get(pk=vcenter.pk)
        url = f"/api/v1/vcenters/{vcenter.pk}/"
        moved = {"host": "127.0.0.1", "port": listener.port, "protocol": "http"}
        for user in (admin_a, operator_a):
            rest = api.as_user(user)
            assert_error(rest.patch(url, {"port": listener.port}, format="json"), 403)
            assert_error(rest.patch(url, {**moved, "password": "mine"}, format="json"), 403)
            assert_error(rest.put(url, {"name": "x", **moved, "user": "u", "password": "mine",
                                        "tenants": [tenant_a.pk]}, format="json"), 403)
            assert_error(rest.post("/api/v1/vcenters/", {"name": "mine", **moved, "user": "u", "password": "p",
                                                         "tenants": [tenant_a.pk]}, format="json"), 403)
            assert_error(rest.delete(url), 403)
        # What tenants may still do uses the platform's settings only.
        rest = api.as_user(admin_a)
        assert rest.post(f"{url}test-connection/").json()["ok"]
        assert rest.post(f"{url}sync/").json()["ok"]
        # The admin is the platform's: a tenant admin (a staff user) is refused every vCenter page.
        client.force_login(admin_a)
        assert client.get("/admin/vsphere/vcenter/").status_code == 403
        assert client.get(f"/admin/vsphere/vcenter/{vcenter.pk}/change/").status_code == 403
        assert client.post(f"/admin/vsphere/vcenter/{vcenter.pk}/change/",
                           admin_form(vcenter, port=listener.port, password="mine")).status_code == 403
        assert client.post("/admin/vsphere/vcenter/add/",
                           admin_form(vcenter, name="mine", port=listener.port, password="mine")).status_code == 403
        assert client.post("/admin/vsphere/vcenter/", {"action": "test_connection_action",
                                                       "_selected_action": [vcenter.pk]}).status_code == 403
        # The console's buttons act on the stored settings too.
        client.post(f"/console/vsphere/vcenters/{vcenter.pk}/act/", {"action": "test"})
        assert VCenter.objects.values(*before).get(pk=vcenter.pk) == before
        assert VCenter.objects.count() == 1
        assert listener.connections == 0

    def test_tenant_sees_no_connection_settings(self, api, admin_a, viewer_a, vcenter):
        for user in (admin_a, viewer_a):
            rest = api.as_user(user)
            row = rest.get(f"/api/v1/vcenters/{vcenter.pk}/").json()
            assert not CREDENTIAL_FIELDS & set(row), row
            assert row["name"] == "sim" and row["last_sync_status"] and row["vsphere_uuid"] == vcenter.vsphere_uuid
            listed = rest.get("/api/v1/vcenters/").json()["results"]
            assert [r["id"] for r in listed] == [vcenter.pk] and not CREDENTIAL_FIELDS & set(listed[0])

    def test_console_hides_the_endpoint_from_tenants(self, client, admin_a, vcenter):
        client.force_login(admin_a)
        page = client.get("/console/vsphere/").content.decode()
        assert "sim" in page and vcenter.endpoint not in page and f":{vcenter.port}" not in page


class TestPasswordFollowsEndpoint:
    def test_api_endpoint_change_needs_the_password(self, api, superuser, vcenter, listener):
        rest = api.as_user(superuser)
        url = f"/api/v1/vcenters/{vcenter.pk}/"
        other_protocol = "https" if vcenter.protocol == "http" else "http"
        for change in ({"port": listener.port}, {"host": "127.0.0.1", "port": listener.port},
                       {"user": "other"}, {"protocol": other_protocol}):
            body = assert_error(rest.patch(url, change, format="json"), 400, "invalid")
            assert body["message"].startswith("password:") and body["detail"]["place"] == "password"
        assert rest.patch(url, {"name": "renamed", "sync_interval": 60}, format="json").status_code == 200
        row = rest.get(url).json()
        assert row["port"] == vcenter.port and row["name"] == "renamed" and "password" not in row
        assert rest.post(f"{url}test-connection/").json()["ok"]
        moved = rest.patch(url, {"port": listener.port, "password": "typed-again"}, format="json")
        assert moved.status_code == 200 and moved.json()["port"] == listener.port
        assert not rest.post(f"{url}test-connection/").json()["ok"]  # the listener speaks no vSphere
        assert listener.connections >= 1  # staff did enter a password for it

    def test_stored_password_never_goes_to_a_moved_endpoint(self, vcenter, listener):
        """Whatever moves the row (a bulk update, a shell, a future code path), the connection refuses."""
        VCenter.objects.filter(pk=vcenter.pk).update(host="127.0.0.1", port=listener.port, protocol="http")
        moved = VCenter.objects.get(pk=vcenter.pk)
        check = check_connection(moved)
        assert not check.ok and "entered for another" in check.message
        moved.name = "saved without a password"
        moved.save()
        assert not check_connection(moved).ok
        assert listener.connections == 0

    def test_admin_form_endpoint_change_needs_the_password(self, client, superuser, vcenter, vcsim, listener):
        client.force_login(superuser)
        url = f"/admin/vsphere/vcenter/{vcenter.pk}/change/"
        page = client.post(url, admin_form(vcenter, port=listener.port))
        assert page.status_code == 200 and b"required again when changing port" in page.content
        vcenter.refresh_from_db()
        assert vcenter.port == vcsim["port"]
        # The same password typed again counts as entered for the new endpoint.
        assert client.post(url, admin_form(vcenter, port=listener.port, password=vcsim["password"])).status_code == 302
        assert client.post(url, admin_form(VCenter.objects.get(pk=vcenter.pk), port=vcsim["port"],
                                           password=vcsim["password"])).status_code == 302
        assert check_connection(VCenter.objects.get(pk=vcenter.pk)).ok
        assert client.post(url, admin_form(vcenter, name="renamed")).status_code == 302
        assert check_connection(VCenter.objects.get(pk=vcenter.pk)).ok

    def test_migration_binds_existing_passwords(self, vcenter):
        VCenter.objects.filter(pk=vcenter.pk).update(password_endpoint="")
        assert not check_connection(VCenter.objects.get(pk=vcenter.pk)).ok
        migration = importlib.import_module("vsphere.migrations.0002_vcenter_password_endpoint_grants")
        migration.bind_passwords(apps, None)
        assert check_connection(VCenter.objects.get(pk=vcenter.pk)).ok


class TestGrants:
    def test_superuser_grants_through_the_api_and_visibility_follows(self, api, superuser, admin_b, vcenter, tenant_a,
                                                                     tenant_b):
        sync_inventory(vcenter)
        url = f"/api/v1/vcenters/{vcenter.pk}/"

        def as_b():  # the api fixture is one client: authenticate it again before each use
            return api.as_user(admin_b)

        assert_error(as_b().get(url), 404)
        assert as_b().get("/api/v1/vsphere-inventory/").json()["count"] == 0
        granted = api.as_user(superuser).patch(url, {"tenants": [tenant_a.pk, tenant_b.pk]}, format="json")
        assert granted.status_code == 200 and sorted(granted.json()["tenants"]) == sorted([tenant_a.pk, tenant_b.pk])
        assert as_b().get(url).status_code == 200
        vms = InventoryObject.objects.filter(vcenter=vcenter, type="VirtualMachine").count()
        assert as_b().get("/api/v1/vsphere-inventory/", {"type": "VirtualMachine"}).json()["count"] == vms
        printed = run_command("grantvcenter", vcenter.vsphere_uuid, "--company-id", str(tenant_b.pk), "--revoke")
        assert printed["tenants"] == [tenant_a.pk] and printed["changed"]
        assert_error(as_b().get(url), 404)
        assert as_b().get("/api/v1/vsphere-inventory/").json()["count"] == 0

    def test_superuser_creates_an_ungranted_vcenter(self, api, superuser, admin_a, vcsim):
        rest = api.as_user(superuser)
        created = rest.post("/api/v1/vcenters/", {"name": "n", "host": vcsim["host"], "port": vcsim["port"],
                                                  "protocol": "http", "user": "u"}, format="json")
        assert_error(created, 400, "invalid")
        assert created.json()["detail"]["place"] == "password"
        created = rest.post("/api/v1/vcenters/", {"name": "n", "host": vcsim["host"], "port": vcsim["port"],
                                                  "protocol": "http", "user": "u", "password": "p"}, format="json")
        assert created.status_code == 201 and created.json()["tenants"] == []
        assert api.as_user(admin_a).get("/api/v1/vcenters/").json()["count"] == 0

    def test_second_row_for_a_registered_vcenter_is_not_given_its_uuid(self, vcsim, vcenter):
        twin = make_vcenter(vcsim, [], name="twin")
        check = check_connection(twin)
        assert not check.ok and "already registered as 'sim'" in check.message
        twin.refresh_from_db()
        assert twin.vsphere_uuid is None


class TestCommands:
    def add(self, vcsim, *extra) -> list[str]:
        return ["addvcenter", "--name", "lab", "--host", vcsim["host"], "--port", str(vcsim["port"]), "--user", "u",
                "--password", "p", "--protocol", "http", *extra]

    def test_addvcenter_refuses_a_registered_vcenter(self, vcsim, tenant_a, tenant_b):
        first = run_command(*self.add(vcsim, "--company-id", str(tenant_a.pk)))
        assert first["tenants"] == [tenant_a.pk] and first["name"] == "lab"
        second = self.add(vcsim, "--company-id", str(tenant_b.pk), "--region", "cn-other")
        second[second.index("--name") + 1] = "hijack"
        second[second.index("--password") + 1] = "other"
        with pytest.raises(CommandError, match=f"already registered as 'lab'.*{first['vsphere_uuid']}.*grantvcenter"):
            call_command(*second)
        vcenter = VCenter.objects.get()
        assert vcenter.name == "lab" and vcenter.password == "p" and vcenter.region is None
        assert list(vcenter.tenants.all()) == [tenant_a]

    def test_grantvcenter(self, vcsim, tenant_a, tenant_b):
        added = run_command(*self.add(vcsim))
        assert added["tenants"] == []
        uuid = added["vsphere_uuid"]
        assert run_command("grantvcenter", uuid, "--company-id", str(tenant_b.pk)) == {
            "vsphere_uuid": uuid, "name": "lab", "tenants": [tenant_b.pk], "changed": True}
        granted = run_command("grantvcenter", uuid, "--company-id", str(tenant_a.pk))["tenants"]
        assert granted == sorted([tenant_a.pk, tenant_b.pk])
        assert not run_command("grantvcenter", uuid, "--company-id", str(tenant_a.pk))["changed"]
        assert run_command("grantvcenter", uuid, "--company-id", str(tenant_b.pk), "--revoke")["tenants"] == [
            tenant_a.pk]
        with pytest.raises(CommandError, match="no vCenter"):
            call_command("grantvcenter", "nope", "--company-id", str(tenant_a.pk))
        with pytest.raises(CommandError, match="CompanyID"):
            call_command("grantvcenter", uuid, "--company-id", "999999")


def test_admin_vcenter_filter_lists_only_granted_vcenters(client, admin_b, vcenter, vcsim, tenant_b):
    """Tenant B's admin filters inventory and tasks by B's vCenters only; A's vCenter name never shows."""
    VCenter.objects.filter(pk=vcenter.pk).update(name="acme-private-lab")
    make_vcenter(vcsim, [tenant_b], name="globex-lab")
    make_vcenter(vcsim, [tenant_b], name="globex-dr")  # a filter with one choice is not shown
    client.force_login(admin_b)
    for url in ("/admin/vsphere/inventoryobject/", "/admin/vsphere/vspheretask/"):
        page = client.get(url).content.decode()
        assert "globex-lab" in page
        assert "acme-private-lab" not in page, url
