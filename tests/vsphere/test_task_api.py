"""The vSphere task-list endpoints: envelope, paging, filtering, references, errors, tenant scoping."""
from __future__ import annotations

import logging
import time

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.simulator import make_vcenter
from vsphere.models import InventoryObject, VCenter, VSphereTask
from vsphere.services import task_queries
from vsphere.services.inventory_sync import sync_inventory
from vsphere.services.task_sync import sync_tasks

from .helpers import find_vm, power_cycle

pytestmark = pytest.mark.django_db

ENVELOPE = {"scode", "desc", "message", "message_cn", "stack", "data"}
ITEM = {"key", "task_reference", "name", "entity", "target", "status", "progress", "detail", "user", "create_time",
        "start_time", "finish_time", "message", "task"}
ROOT = "/v1/vsphere/task/root/list"
RECENT = "/v1/vsphere/task/root_recent/list"
RESOURCE = "/v1/vsphere/task/resource/list"


@pytest.fixture
def synced(vcenter):
    sync_inventory(vcenter)
    power_cycle(find_vm(vcenter, "DC0_H0_VM0"), 2)
    power_cycle(find_vm(vcenter, "DC0_C0_RP0_VM0"), 1)
    sync_tasks(vcenter)
    return vcenter


def ok(response) -> object:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == ENVELOPE and body["scode"] == 0 and body["message"] == "success"
    assert body["message_cn"] == "成功" and body["stack"] is None and body["desc"] == ""
    return body["data"]


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ENVELOPE and body["scode"] != 0 and body["data"] is None
    assert body["message"] and body["message_cn"] and body["message"] != body["message_cn"]
    return body


def test_root_list_shape_order_and_paging(api, viewer_a, synced):
    client = api.as_user(viewer_a)
    total = VSphereTask.objects.filter(vcenter=synced).count()
    data = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid, "page_num": 0, "page_size": 3}))
    assert set(data) == {"total_count", "list"} and data["total_count"] == total
    assert len(data["list"]) == 3 and set(data["list"][0]) == ITEM
    created = [item["create_time"] for item in data["list"]]
    assert created == sorted(created, reverse=True)
    second = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid, "page_num": 1, "page_size": 3}))["list"]
    assert not {i["key"] for i in second} & {i["key"] for i in data["list"]}
    everything = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid, "page_size": 1000}))["list"]
    assert [i["key"] for i in everything[:6]] == [i["key"] for i in data["list"] + second]
    beyond = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid, "page_num": 999, "page_size": 10}))
    assert beyond == {"total_count": total, "list": []}
    item = everything[0]
    assert item["task_reference"] == "Task:" + item["key"] and item["task"]["Key"] == item["key"]


def test_filter_name_and_language(api, viewer_a, synced):
    client = api.as_user(viewer_a)
    data = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid, "filter_name": "power on", "page_size": 100}))
    assert data["total_count"] >= 3
    assert all("Power On" in VSphereTask.objects.get(key=i["key"]).name_en for i in data["list"])
    data = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid, "filter_name": "DC0_C0_RP0"}))
    assert data["total_count"] == 0  # the simulator names entities by moref: filter matches the target
    VSphereTask.objects.filter(vcenter=synced).update(name="打开虚拟机电源")
    data = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid, "filter_name": "电源"}))
    assert data["total_count"] > 0 and data["list"][0]["name"] == "打开虚拟机电源"
    english = ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid}, HTTP_ACCEPT_LANGUAGE="en-US"))
    assert english["list"][0]["name"] != "打开虚拟机电源"


def test_recent_list_and_datacenter_reference(api, viewer_a, synced):
    client = api.as_user(viewer_a)
    VSphereTask.objects.create(vcenter=synced, key="task-ancient", task_reference="Task:task-ancient",
                               status="success", create_time=int(time.time()) - 3600)
    VSphereTask.objects.create(vcenter=synced, key="task-stuck", task_reference="Task:task-stuck",
                               status="running", create_time=int(time.time()) - 7200)
    data = ok(client.get(RECENT, {"vsphere_uuid": synced.vsphere_uuid, "page_size": 1000}))
    keys = {item["key"] for item in data}
    assert isinstance(data, list) and "task-stuck" in keys and "task-ancient" not in keys
    dc = InventoryObject.objects.get(vcenter=synced, type="Datacenter")
    in_dc = ok(client.get(RECENT, {"vsphere_uuid": synced.vsphere_uuid, "reference": f"Datacenter:{dc.moref}"}))
    assert in_dc and all(VSphereTask.objects.get(key=i["key"]).datacenter == dc.moref for i in in_dc)
    vm = InventoryObject.objects.get(vcenter=synced, name="DC0_H0_VM0")
    body = error(client.get(RECENT, {"vsphere_uuid": synced.vsphere_uuid, "reference": vm.reference}), 400)
    assert "Datacenter" in body["message"]


def test_resource_list_semantics(api, viewer_a, synced):
    client = api.as_user(viewer_a)
    uuid = synced.vsphere_uuid
    vm = InventoryObject.objects.get(vcenter=synced, name="DC0_H0_VM0")
    vm_tasks = ok(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": vm.reference, "page_size": 1000}))
    assert vm_tasks["total_count"] >= 4 and {i["entity"] for i in vm_tasks["list"]} == {vm.reference}
    bare = ok(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": vm.moref}))
    assert bare["total_count"] == vm_tasks["total_count"]
    host = ok(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": f"HostSystem:{vm.host}", "page_size": 1000}))
    assert {i["key"] for i in vm_tasks["list"]} <= {i["key"] for i in host["list"]}
    other_vm = InventoryObject.objects.get(vcenter=synced, name="DC0_C0_RP0_VM0")
    assert other_vm.reference not in {i["entity"] for i in host["list"]}
    dc = ok(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": f"Datacenter:{vm.datacenter}",
                                  "page_size": 1000}))
    assert {vm.reference, other_vm.reference} <= {i["entity"] for i in dc["list"]}
    datastore = vm.datastores.strip("/").split("/")[-1] if "@" not in vm.datastores else vm.datastores[1:-1]
    ds = ok(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": f"Datastore:{datastore}", "page_size": 1000}))
    assert vm.reference in {i["entity"] for i in ds["list"]}
    cluster = ok(client.get(RESOURCE, {"vsphere_uuid": uuid, "page_size": 1000,
                                       "reference": f"ClusterComputeResource:{other_vm.cluster}"}))
    in_cluster = {i["entity"] for i in cluster["list"]}
    assert other_vm.reference in in_cluster and vm.reference not in in_cluster
    filtered = ok(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": vm.reference, "filter_name": "power off"}))
    assert 0 < filtered["total_count"] < vm_tasks["total_count"]


@pytest.mark.parametrize(("params", "status", "needle"), [
    ({}, 400, "vsphere_uuid"),
    ({"vsphere_uuid": "nope"}, 404, "unknown vCenter"),
    ({"page_num": "x"}, 400, "page_num"),
    ({"page_num": "-1"}, 400, "page_num"),
    ({"page_size": "5000"}, 400, "page_size"),
    ({"page_size": "1e3"}, 400, "page_size"),
    ({"page_size": "1.5"}, 400, "page_size"),
    ({"page_size": "-1"}, 400, "page_size"),
    ({"page_size": "null"}, 400, "page_size"),
    ({"page_size": "1e20"}, 400, "page_size"),
    ({"page_num": "1000001"}, 400, "page_num"),
    ({"page_num": "99999999999999999999999"}, 400, "page_num"),
])
def test_bad_parameters(api, viewer_a, synced, params, status, needle):
    query = {"vsphere_uuid": synced.vsphere_uuid, **params} if "vsphere_uuid" not in params and params else params
    for url in (ROOT, RECENT, RESOURCE):
        q = dict(query)
        if url == RESOURCE and "vsphere_uuid" in q and q["vsphere_uuid"] == synced.vsphere_uuid:
            q["reference"] = "Datacenter:" + InventoryObject.objects.get(vcenter=synced, type="Datacenter").moref
        body = error(api.as_user(viewer_a).get(url, q), status)
        assert needle in body["message"]


def test_unexpected_error_is_an_envelope_with_a_logged_request_id(api, viewer_a, vcenter, monkeypatch, caplog):
    def boom(*args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(task_queries, "page", boom)
    with caplog.at_level(logging.ERROR):
        response = api.as_user(viewer_a).get(ROOT, {"vsphere_uuid": vcenter.vsphere_uuid})
    body = error(response, 500)
    request_id = response["X-Request-Id"]
    assert body["scode"] == 50000 and request_id in body["message"] and request_id in body["message_cn"]
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_bad_references(api, viewer_a, synced):
    client = api.as_user(viewer_a)
    uuid = synced.vsphere_uuid
    assert "reference" in error(client.get(RESOURCE, {"vsphere_uuid": uuid}), 400)["message"]
    assert error(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": "VirtualMachine:vm-0"}), 404)["scode"]
    assert "reference" in error(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": "Bogus:x"}), 400)["message"]
    vm = InventoryObject.objects.get(vcenter=synced, name="DC0_H0_VM0")
    assert error(client.get(RESOURCE, {"vsphere_uuid": uuid, "reference": f"HostSystem:{vm.moref}"}), 404)


def test_tenant_scoping_and_auth(api, admin_b, viewer_a, synced, vcsim, tenant_b):
    other = make_vcenter(vcsim, [tenant_b], name="b-vc")
    VCenter.objects.filter(pk=other.pk).update(vsphere_uuid="b-uuid")
    body = error(api.as_user(admin_b).get(ROOT, {"vsphere_uuid": synced.vsphere_uuid}), 404)
    assert body["message"].startswith("unknown vCenter")
    assert ok(api.as_user(admin_b).get(ROOT, {"vsphere_uuid": "b-uuid"}))["total_count"] == 0
    assert error(api.as_user(viewer_a).get(ROOT, {"vsphere_uuid": "b-uuid"}), 404)
    # Shared with both tenants: visible to both, listed once.
    synced.tenants.add(tenant_b)
    assert ok(api.as_user(admin_b).get(ROOT, {"vsphere_uuid": synced.vsphere_uuid}))["total_count"] > 0
    anonymous = error(APIClient().get(ROOT, {"vsphere_uuid": synced.vsphere_uuid}), 401)
    assert anonymous["scode"] == 40100
    token = Token.objects.create(user=viewer_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ok(client.get(ROOT, {"vsphere_uuid": synced.vsphere_uuid}))["total_count"] > 0
    assert error(client.post(ROOT, {"vsphere_uuid": synced.vsphere_uuid}), 405)


class TestNativeApi:
    def test_vcenter_crud_never_returns_password(self, api, superuser, admin_a, tenant_a, vcsim):
        staff = api.as_user(superuser)
        created = staff.post("/api/v1/vcenters/", {"name": "n", "host": vcsim["host"], "port": vcsim["port"],
                                                   "protocol": "http", "user": "u", "password": "secret-pw",
                                                   "tenants": [tenant_a.pk]}, format="json")
        assert created.status_code == 201, created.content
        assert "password" not in created.json() and b"secret-pw" not in created.content
        pk = created.json()["id"]
        client = api.as_user(admin_a)  # the tenant it is granted to tests, syncs and reads it
        check = client.post(f"/api/v1/vcenters/{pk}/test-connection/").json()
        assert check["ok"] and check["vsphere_uuid"] and "vCenter" in check["version"]
        listed = client.get("/api/v1/vcenters/").json()["results"]
        assert [row["id"] for row in listed] == [pk] and all("password" not in row for row in listed)
        assert client.post(f"/api/v1/vcenters/{pk}/sync/").json()["ok"]
        inventory = client.get("/api/v1/vsphere-inventory/", {"type": "VirtualMachine"}).json()
        assert inventory["count"] >= 4
        tasks = client.get("/api/v1/vsphere-tasks/").json()
        assert tasks["count"] > 0

    def test_viewer_cannot_create_and_foreign_is_404(self, api, viewer_a, admin_b, vcenter):
        assert api.as_user(viewer_a).get(f"/api/v1/vcenters/{vcenter.pk}/").status_code == 200
        assert api.as_user(admin_b).get(f"/api/v1/vcenters/{vcenter.pk}/").status_code == 404
        assert api.as_user(admin_b).post(f"/api/v1/vcenters/{vcenter.pk}/test-connection/").status_code == 404
        assert api.as_user(viewer_a).post(f"/api/v1/vcenters/{vcenter.pk}/sync/").status_code == 403
