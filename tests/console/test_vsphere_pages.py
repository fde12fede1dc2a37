"""vSphere pages against the simulator: vCenters with sync status and buttons, inventory tree, tasks."""
from __future__ import annotations

import re

import pytest

from orchestration.console.views.vsphere import TASK_PAGE_SIZE
from orchestration.models import Role
from tests.conftest import make_member
from vsphere.models import SyncStatus, VSphereTask

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_vcenter_list_shows_sync_status(operator_a, synced_vcenter, client_as):
    page = text(client_as(operator_a).get("/console/vsphere/"))
    assert "lab-vcsim" in page and 'data-sync-status="ok"' in page
    assert "Sync now" not in page  # operators read; tenant admins act
    assert '<a href="/console/vsphere/" aria-current="page">' in page  # the area is no longer "pending"


def test_admin_tests_connection_and_syncs_now(admin_a, sim_vcenter, client_as):
    client = client_as(admin_a)
    assert "Sync now" in text(client.get("/console/vsphere/"))
    response = client.post(f"/console/vsphere/vcenters/{sim_vcenter.pk}/act/", {"action": "test"}, follow=True)
    assert "connection works" in text(response)
    response = client.post(f"/console/vsphere/vcenters/{sim_vcenter.pk}/act/", {"action": "sync"}, follow=True)
    page = text(response)
    assert "lab-vcsim synced" in page and 'data-sync-status="ok"' in page
    sim_vcenter.refresh_from_db()
    assert sim_vcenter.last_sync_status == SyncStatus.OK and sim_vcenter.last_sync_at is not None
    assert VSphereTask.objects.filter(vcenter=sim_vcenter).exists()


def test_failed_sync_shows_the_reason(admin_a, broken_vcenter, client_as):
    client = client_as(admin_a)
    response = client.post(f"/console/vsphere/vcenters/{broken_vcenter.pk}/act/", {"action": "sync"}, follow=True)
    page = text(response)
    assert "sync failed" in page and 'data-sync-status="error"' in page
    broken_vcenter.refresh_from_db()
    assert broken_vcenter.last_error and broken_vcenter.last_error in response.content.decode()
    dashboard = text(client.get("/console/"))
    assert "lab-down" in dashboard and "sync-error" in dashboard


def test_operator_cannot_sync(operator_a, sim_vcenter, client_as):
    response = client_as(operator_a).post(f"/console/vsphere/vcenters/{sim_vcenter.pk}/act/", {"action": "sync"})
    assert response.status_code == 403
    sim_vcenter.refresh_from_db()
    assert sim_vcenter.last_sync_status == SyncStatus.NEVER


def test_other_tenant_sees_nothing(tenant_b, synced_vcenter, client_as):
    bob = make_member(tenant_b, "bob", Role.ADMIN)
    client = client_as(bob)
    assert "lab-vcsim" not in text(client.get("/console/vsphere/"))
    assert "DC0_H0_VM0" not in text(client.get("/console/vsphere/inventory/"))
    assert "vsphere-task" not in text(client.get("/console/vsphere/tasks/"))
    assert client.post(f"/console/vsphere/vcenters/{synced_vcenter.pk}/act/", {"action": "sync"}).status_code == 404


def test_inventory_tree_datacenter_cluster_host_vm(operator_a, synced_vcenter, client_as):
    page = text(client_as(operator_a).get("/console/vsphere/inventory/"))
    # datacenter → cluster → host → VM, in that nesting order
    order = [page.index(name) for name in ("DC0", "DC0_C0", "DC0_C0_H0", "DC0_C0_RP0_VM1")]
    assert order == sorted(order)
    assert "DC0_H0_VM0" in page and "Powered on" in page and "32 MB" in page


def test_inventory_search_keeps_matching_branches(operator_a, synced_vcenter, client_as):
    page = text(client_as(operator_a).get("/console/vsphere/inventory/", {"q": "h0_vm1"}))
    assert "DC0_H0_VM1" in page and "DC0_H0_VM0" not in page and "DC0_C0_RP0_VM0" not in page
    empty = text(client_as(operator_a).get("/console/vsphere/inventory/", {"q": "nothing-like-this"}))
    assert "Nothing in the inventory matches." in empty


def test_task_filters(operator_a, synced_vcenter, client_as):
    client = client_as(operator_a)
    everything = text(client.get("/console/vsphere/tasks/"))
    # one page of them (the simulator's task history grows with every test that operates a VM)
    stored = VSphereTask.objects.filter(vcenter=synced_vcenter).count()
    assert everything.count('class="vsphere-task"') == min(stored, TASK_PAGE_SIZE)
    power = text(client.get("/console/vsphere/tasks/", {"q": "Power On"}))
    assert "Power On virtual machine" in power and "Create virtual machine" not in power
    vm = text(client.get("/console/vsphere/tasks/", {"entity": "vm-57", "vcenter": synced_vcenter.pk}))
    of_vm = VSphereTask.objects.filter(vcenter=synced_vcenter, entity_moref="vm-57").count()
    assert of_vm > 0 and vm.count('class="vsphere-task"') == min(of_vm, TASK_PAGE_SIZE)
    assert (f"{of_vm} tasks" if of_vm > 1 else "1 task") in vm
    # The simulator is shared by the whole run: earlier tests may have left failed tasks there.
    failed = text(client.get("/console/vsphere/tasks/", {"status": "error"}))
    stored_errors = VSphereTask.objects.filter(vcenter=synced_vcenter, status="error").count()
    if stored_errors:
        assert failed.count('class="vsphere-task"') == min(stored_errors, TASK_PAGE_SIZE)
    else:
        assert "No vSphere task matches." in failed


def test_vsphere_pages_in_chinese(operator_a, synced_vcenter, client_as):
    client = client_as(operator_a)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"})
    vcenters = text(client.get("/console/vsphere/"))
    assert "同步状态" in vcenters and "正常" in vcenters and ">立即同步</button>" not in vcenters
    inventory = text(client.get("/console/vsphere/inventory/"))
    assert "数据中心" in inventory and "已开机" in inventory
    assert "成功" in text(client.get("/console/vsphere/tasks/"))
