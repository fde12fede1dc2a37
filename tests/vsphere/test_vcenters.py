"""vCenters: registration, connection checks, failures recorded, schedules, commands, admin."""
from __future__ import annotations

import json
import socket

import pytest
from django.core.management import CommandError, call_command
from django.db import connection as db_connection
from django_q.models import Schedule
from pyVmomi import vim

from orchestration.models import Region
from tests.simulator import make_vcenter
from vsphere.models import SyncStatus, VCenter
from vsphere.services import connection, schedules
from vsphere.services.sync import sync_vcenter
from vsphere.services.vcenters import check_connection

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_reads_uuid_and_version(vcenter):
    assert vcenter.vsphere_uuid
    assert "vCenter" in vcenter.version
    stored = VCenter.objects.get(pk=vcenter.pk)
    assert stored.vsphere_uuid == vcenter.vsphere_uuid and stored.api_version


def test_password_is_encrypted_at_rest(vcenter):
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT password FROM vsphere_vcenter WHERE id = %s", [vcenter.pk])
        stored = cursor.fetchone()[0]
    assert stored != vcenter.password and vcenter.password not in stored


def test_closed_port_is_recorded_and_breaks_nothing_else(vcsim, vcenter, tenant_a):
    down = make_vcenter(vcsim, [tenant_a], name="down", port=closed_port())
    check = check_connection(down)
    assert not check.ok and "connection refused" in check.message
    assert check.seconds < 5
    summary = sync_vcenter(down)
    assert not summary["ok"] and "connection refused" in summary["error"]
    # The task sync alone fails while its stored-task query is in flight (pipeline mode):
    # the database connection stays usable.
    tasks_only = sync_vcenter(down, inventory=False)
    assert not tasks_only["ok"] and "connection refused" in tasks_only["error"]
    down.refresh_from_db()
    assert down.last_sync_status == SyncStatus.ERROR and "connection refused" in down.last_error
    # The healthy vCenter still syncs.
    assert sync_vcenter(vcenter)["ok"]
    vcenter.refresh_from_db()
    assert vcenter.last_sync_status == SyncStatus.OK and vcenter.last_error == ""


def test_wrong_protocol_reason(vcsim, tenant_a):
    if vcsim["protocol"] != "http":
        pytest.skip("the simulator speaks https here")
    check = check_connection(make_vcenter(vcsim, [tenant_a], protocol="https"))
    assert not check.ok and ("TLS" in check.message or "reach" in check.message)


def test_unresolvable_host(vcsim, tenant_a):
    check = check_connection(make_vcenter(vcsim, [tenant_a], host="no-such-host.invalid"))
    assert not check.ok and "resolved" in check.message


def test_wrong_credentials_with_a_password_protected_simulator(tmp_path, tenant_a, vcsim):
    """The default simulator accepts any login, so start one that checks it."""
    import subprocess

    env = {**__import__("os").environ, "STATE_DIR": str(tmp_path)}
    started = subprocess.run(["bash", "tests/infra/vcsim.sh", "start", "-username", "admin", "-password", "s3cret"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert started.returncode == 0, started.stderr
    try:
        from urllib.parse import urlsplit

        url = urlsplit(started.stdout.strip().split("=", 1)[1])
        guarded = {**vcsim, "port": url.port}
        wrong = make_vcenter(guarded, [tenant_a], name="wrong", user="admin", password="nope")
        summary = sync_vcenter(wrong)
        assert not summary["ok"] and "wrong user name or password" in summary["error"]
        wrong.refresh_from_db()
        assert wrong.last_sync_status == SyncStatus.ERROR and "password" in wrong.last_error
        right = make_vcenter(guarded, [tenant_a], name="right", user="admin", password="s3cret")
        assert check_connection(right).ok
    finally:
        subprocess.run(["bash", "tests/infra/vcsim.sh", "stop"], env=env, capture_output=True, timeout=60)


def test_pooled_session_is_reused_and_relogs_after_expiry(vcenter):
    first = connection.service_instance(vcenter)
    assert connection.service_instance(vcenter) is first
    first.content.sessionManager.Logout()  # what an idle timeout does to a session
    with pytest.raises(vim.fault.NotAuthenticated):
        _ = first.content.rootFolder.name
    assert connection.call(vcenter, lambda si: si.content.rootFolder.name) == "Datacenters"
    assert connection.service_instance(vcenter) is not first


def test_changed_password_opens_a_new_session(vcenter):
    first = connection.service_instance(vcenter)
    vcenter.password = "other"
    assert connection.service_instance(vcenter) is not first


class TestSchedules:
    def test_created_on_save_and_follow_interval(self, vcenter):
        task_schedule = Schedule.objects.get(name=schedules.schedule_name(vcenter.pk, "tasks"))
        assert task_schedule.func == "vsphere.tasks.sync_vcenter_tasks"
        assert task_schedule.schedule_type == Schedule.CRON and task_schedule.cron == "* * * * * */10"
        assert task_schedule.args == repr(vcenter.pk)
        vcenter.sync_interval = 120
        vcenter.save()
        task_schedule.refresh_from_db()
        assert task_schedule.schedule_type == Schedule.MINUTES and task_schedule.minutes == 2
        inventory = Schedule.objects.get(name=schedules.schedule_name(vcenter.pk, "inventory"))
        assert inventory.minutes == 5

    def test_disabled_or_deleted_vcenter_has_none(self, vcenter):
        vcenter.sync_enabled = False
        vcenter.save()
        assert not Schedule.objects.filter(name__startswith="vsphere-").exists()
        vcenter.sync_enabled = True
        vcenter.save()
        assert Schedule.objects.filter(name__startswith="vsphere-").count() == 2
        vcenter.delete()
        assert not Schedule.objects.filter(name__startswith="vsphere-").exists()

    def test_task_entry_point(self, vcenter):
        from vsphere.tasks import sync_vcenter_inventory, sync_vcenter_tasks

        assert sync_vcenter_tasks(vcenter.pk)["ok"]
        assert sync_vcenter_inventory(vcenter.pk)["ok"]
        assert "skipped" in sync_vcenter_tasks(10**9)


class TestCommands:
    def run(self, *args) -> dict:
        from io import StringIO

        out = StringIO()
        call_command(*args, stdout=out)
        return json.loads(out.getvalue())

    def test_addvcenter_then_syncvcenter(self, vcsim, tenant_a):
        printed = self.run("addvcenter", "--company-id", str(tenant_a.pk), "--name", "lab", "--host", vcsim["host"],
                           "--port", str(vcsim["port"]), "--user", "u", "--password", "p", "--region", "cn-lab1",
                           "--protocol", "http", "--no-verify-tls")
        vcenter = VCenter.objects.get(vsphere_uuid=printed["vsphere_uuid"])
        assert printed == {"vsphere_uuid": vcenter.vsphere_uuid, "name": "lab", "tenants": [tenant_a.pk]}
        assert vcenter.region == Region.objects.get(id="cn-lab1")
        assert list(vcenter.tenants.all()) == [tenant_a] and not vcenter.verify_tls
        summary = self.run("syncvcenter", printed["vsphere_uuid"])
        assert summary["ok"] and summary["inventory"]["objects"] > 10
        assert vcenter.inventory.filter(type="VirtualMachine").exists()

    def test_addvcenter_unreachable(self, tenant_a):
        with pytest.raises(CommandError, match="connection refused"):
            call_command("addvcenter", "--company-id", str(tenant_a.pk), "--name", "x", "--host", "127.0.0.1",
                         "--port", str(closed_port()), "--user", "u", "--password", "p", "--protocol", "http")
        assert not VCenter.objects.exists()

    def test_addvcenter_bad_tenant_and_region(self, vcsim, tenant_a):
        with pytest.raises(CommandError, match="CompanyID"):
            call_command("addvcenter", "--company-id", "999999", "--name", "x", "--host", "h", "--user", "u",
                         "--password", "p")
        with pytest.raises(CommandError, match="region"):
            call_command("addvcenter", "--company-id", str(tenant_a.pk), "--name", "x", "--host", vcsim["host"],
                         "--port", str(vcsim["port"]), "--user", "u", "--password", "p", "--region", "Bad Region!",
                         "--protocol", "http")

    def test_syncvcenter_unknown(self, db):
        with pytest.raises(CommandError, match="no vCenter"):
            call_command("syncvcenter", "nope")


class TestAdmin:
    def test_changelist_and_actions_for_platform_staff(self, client, superuser, vcenter, vcsim, tenant_b):
        other = make_vcenter(vcsim, [tenant_b], name="globex-vc", port=closed_port())
        client.force_login(superuser)
        page = client.get("/admin/vsphere/vcenter/")
        assert page.status_code == 200
        assert b"sim" in page.content and b"globex-vc" in page.content
        response = client.post("/admin/vsphere/vcenter/", {"action": "test_connection_action",
                                                           "_selected_action": [vcenter.pk]}, follow=True)
        assert b"connected: VMware vCenter" in response.content
        response = client.post("/admin/vsphere/vcenter/", {"action": "sync_now_action",
                                                           "_selected_action": [vcenter.pk]}, follow=True)
        assert b"inventory objects" in response.content
        detail = client.get(f"/admin/vsphere/vcenter/{vcenter.pk}/change/")
        assert detail.status_code == 200 and b'value="pass"' not in detail.content
        assert client.get(f"/admin/vsphere/vcenter/{other.pk}/change/").status_code == 200

    def test_tenant_admins_get_inventory_and_tasks_but_not_vcenters(self, client, admin_a, vcenter):
        client.force_login(admin_a)
        assert client.get("/admin/vsphere/vcenter/").status_code == 403
        assert client.get(f"/admin/vsphere/vcenter/{vcenter.pk}/change/").status_code == 403
        for model in ("inventoryobject", "vspheretask"):
            assert client.get(f"/admin/vsphere/{model}/").status_code == 200

    def test_failure_shows_in_row(self, client, superuser, vcsim, tenant_a):
        down = make_vcenter(vcsim, [tenant_a], name="down", port=closed_port())
        sync_vcenter(down)
        client.force_login(superuser)
        assert b"connection refused" in client.get("/admin/vsphere/vcenter/").content
