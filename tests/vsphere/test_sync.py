"""Inventory and task sync against the simulator, plus the history-collector path with a fake collector."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from pyVmomi import vim

from vsphere.models import InventoryObject, VSphereTask
from vsphere.services import task_store, task_sync
from vsphere.services.inventory_sync import sync_inventory
from vsphere.services.task_sync import read_history, sync_tasks

from .helpers import find_vm, power_cycle, si_of

pytestmark = pytest.mark.django_db


class TestInventory:
    def test_tree_paths_and_vm_details(self, vcenter):
        result = sync_inventory(vcenter)
        assert result.objects == InventoryObject.objects.filter(vcenter=vcenter).count() > 15
        root = InventoryObject.objects.get(vcenter=vcenter, parent="")
        assert root.type == "Folder" and root.name == "Datacenters" and root.path == f"/{root.moref}/"
        dc = InventoryObject.objects.get(vcenter=vcenter, type="Datacenter", name="DC0")
        assert dc.path.startswith(root.path) and dc.datacenter == dc.moref and dc.name_path == "/DC0/"
        under_dc = InventoryObject.objects.filter(vcenter=vcenter, path__startswith=dc.path)
        assert {"Datacenter", "Folder", "HostSystem", "Datastore", "ResourcePool", "VirtualMachine",
                "ClusterComputeResource"} <= set(under_dc.values_list("type", flat=True))
        assert under_dc.count() == InventoryObject.objects.filter(vcenter=vcenter, datacenter=dc.moref).count()
        vm = InventoryObject.objects.get(vcenter=vcenter, name="DC0_H0_VM0")
        assert vm.type == "VirtualMachine" and vm.power_state in ("poweredOn", "poweredOff")
        assert vm.num_cpu >= 1 and vm.memory_mb >= 32 and vm.instance_uuid and vm.guest_os
        assert vm.host and vm.datastores.startswith("/") and len(vm.datastores) > 2
        assert vm.name_path == "/DC0/vm/DC0_H0_VM0/"
        host = InventoryObject.objects.get(vcenter=vcenter, moref=vm.host)
        assert host.type == "HostSystem" and host.host == host.moref
        on_host = InventoryObject.objects.filter(vcenter=vcenter, host=host.moref, type="VirtualMachine")
        assert vm in on_host
        cluster_vm = InventoryObject.objects.get(vcenter=vcenter, name="DC0_C0_RP0_VM0")
        assert cluster_vm.cluster and InventoryObject.objects.get(moref=cluster_vm.cluster, vcenter=vcenter).type == (
            "ClusterComputeResource")

    def test_resync_updates_changes_and_deletes_gone(self, vcenter):
        sync_inventory(vcenter)
        InventoryObject.objects.create(vcenter=vcenter, moref="vm-gone", type="VirtualMachine", name="x", path="/x/")
        InventoryObject.objects.filter(vcenter=vcenter, name="DC0_H0_VM1").update(num_cpu=99)
        result = sync_inventory(vcenter)
        assert result.deleted == 1 and result.updated == 1 and result.created == 0
        assert InventoryObject.objects.get(vcenter=vcenter, name="DC0_H0_VM1").num_cpu != 99

    def test_path_query_uses_one_query(self, vcenter):
        sync_inventory(vcenter)
        dc = InventoryObject.objects.get(vcenter=vcenter, type="Datacenter")
        with CaptureQueriesContext(db_connection) as queries:
            assert len(list(InventoryObject.objects.filter(vcenter=vcenter, path__startswith=dc.path))) > 10
        assert len(queries) == 1


class TestTasks:
    def test_new_tasks_in_seed_fields(self, vcenter):
        sync_inventory(vcenter)
        vm = find_vm(vcenter, "DC0_H0_VM0")
        if vm.runtime.powerState != "poweredOn":
            vm.PowerOnVM_Task()
        off = vm.PowerOffVM_Task()._moId
        vm.PowerOnVM_Task()
        result = sync_tasks(vcenter)
        assert result.created >= 2 and result.history is False
        # The simulator is shared by the whole run, so look up the task this test made by its moref.
        task = VSphereTask.objects.get(vcenter=vcenter, key=off)
        assert task.task_reference == f"Task:{task.key}"
        assert task.entity == f"VirtualMachine:{vm._moId}"
        assert task.status == "success" and task.user == "vcsim"
        assert task.name_en == "Power Off virtual machine" and task.name
        assert isinstance(task.create_time, int) and task.finish_time >= task.start_time >= task.create_time
        assert task.datacenter.startswith("datacenter-") and task.host.startswith("host-")
        assert task.entity_path.endswith(f"/{vm._moId}/")
        raw = task.task
        assert raw["Key"] == task.key and raw["Task"] == {"Type": "Task", "Value": task.key}
        assert raw["Entity"] == {"Type": "VirtualMachine", "Value": vm._moId}
        assert raw["State"] == "success" and raw["Reason"] == {"UserName": "vcsim"}
        assert raw["Name"] and raw["DescriptionId"].startswith("VirtualMachine.power")
        assert raw["QueueTime"].endswith("Z") and raw["Error"] is None
        assert set(raw) >= {"Description", "Locked", "Cancelled", "Cancelable", "Result", "Progress", "EventChainId",
                            "ChangeTag", "ParentTaskKey", "RootTaskKey", "ActivationId", "CompleteTime"}
        vcenter.refresh_from_db()
        assert vcenter.task_history_supported is False  # the simulator lacks CreateCollectorForTasks

    def test_incremental_writes_nothing_when_nothing_changed(self, vcenter):
        power_cycle(find_vm(vcenter, "DC0_H0_VM1"))
        sync_tasks(vcenter)
        written = dict(VSphereTask.objects.filter(vcenter=vcenter).values_list("key", "synced_at"))
        again = sync_tasks(vcenter)
        assert again.created == again.updated == 0 and again.fetched > 0
        # Every write sets synced_at (the PostgreSQL upsert bypasses Django's query log).
        assert dict(VSphereTask.objects.filter(vcenter=vcenter).values_list("key", "synced_at")) == written
        power_cycle(find_vm(vcenter, "DC0_H0_VM1"))
        assert sync_tasks(vcenter).created == 2

    def test_same_result_without_pipeline_mode(self, vcenter, monkeypatch):
        """libpq older than 14 has no pipeline mode: the statements then simply wait in turn."""
        import psycopg

        monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
        monkeypatch.setattr(psycopg.Connection, "pipeline", lambda self: pytest.fail("pipeline mode used"))
        vm = find_vm(vcenter, "DC0_H0_VM1")
        power_cycle(vm)
        on = vm.PowerOnVM_Task()._moId  # already on: fails
        result = sync_tasks(vcenter)
        assert result.created >= 2 and VSphereTask.objects.get(vcenter=vcenter, key=on).status == "error"
        assert sync_tasks(vcenter).created == sync_tasks(vcenter).updated == 0

    def test_failed_task_message_and_running_refresh(self, vcenter):
        vm = find_vm(vcenter, "DC0_H0_VM1")
        if vm.runtime.powerState != "poweredOn":
            vm.PowerOnVM_Task()
        failed = vm.PowerOnVM_Task()  # already on: the task fails with InvalidPowerState
        sync_tasks(vcenter)
        row = VSphereTask.objects.get(vcenter=vcenter, key=failed._moId)
        assert row.status == "error" and row.message == "the VM is already powered on"
        assert row.task["Error"]["Fault"]["FaultType"].endswith("InvalidPowerState")
        # A row stored as running is refreshed until it finishes, even when not in recentTask.
        VSphereTask.objects.filter(pk=row.pk).update(status="running", fingerprint="stale")
        VSphereTask.objects.create(vcenter=vcenter, key="task-999999", task_reference="Task:task-999999",
                                   status="running", create_time=1)
        result = sync_tasks(vcenter)
        assert result.updated == 1
        assert VSphereTask.objects.get(pk=row.pk).status == "error"
        assert VSphereTask.objects.get(key="task-999999").status == "running"  # forgotten by the server: kept

    def test_retention(self, vcenter):
        old = int((datetime.now(UTC) - timedelta(days=31)).timestamp())
        VSphereTask.objects.create(vcenter=vcenter, key="task-old", task_reference="Task:task-old", status="success",
                                   create_time=old)
        assert task_store.purge_expired(vcenter, force=True) == 1


class FakeCollector:
    def __init__(self, pages):
        self.pages = list(pages)
        self.destroyed = False

    def RewindCollector(self):  # noqa: N802 (vSphere method names)
        pass

    def ReadNextTasks(self, max_count):  # noqa: N802
        if self.pages == ["boom"]:
            raise OSError("connection reset")
        return self.pages.pop(0) if self.pages else []

    def DestroyCollector(self):  # noqa: N802
        self.destroyed = True


class FakeServiceInstance:
    def __init__(self, collector):
        self.content = SimpleNamespace(taskManager=SimpleNamespace(CreateCollectorForTasks=lambda spec: collector))


def fake_si(collector):
    return FakeServiceInstance(collector)


class TestHistoryCollector:
    def test_pages_are_read_and_collector_destroyed(self):
        collector = FakeCollector([["a", "b"], ["c"]])
        assert read_history(fake_si(collector), datetime.now(UTC)) == ["a", "b", "c"]
        assert collector.destroyed

    def test_collector_destroyed_on_error(self):
        collector = FakeCollector(["boom"])
        with pytest.raises(OSError):
            read_history(fake_si(collector), datetime.now(UTC))
        assert collector.destroyed

    def test_history_merged_with_recent_by_key(self, vcenter, monkeypatch):
        vm = find_vm(vcenter, "DC0_H0_VM0")
        power_cycle(vm)
        recent = task_sync.read_recent(si_of(vcenter))
        older = recent[0]
        history_only = type(older)(key="task-hist-1", task=vim.Task("task-hist-1"),
                                   descriptionId="VirtualMachine.reconfigure", entityName="old-vm",
                                   state="success", cancelled=False, cancelable=False, eventChainId=7,
                                   queueTime=datetime.now(UTC) - timedelta(hours=1))
        monkeypatch.setattr(task_sync, "read_history", lambda si, since: [history_only, older])
        vcenter.task_history_supported = None
        result = sync_tasks(vcenter)
        keys = list(VSphereTask.objects.filter(vcenter=vcenter).values_list("key", flat=True))
        assert len(keys) == len(set(keys)) and "task-hist-1" in keys
        assert result.history is True
        vcenter.refresh_from_db()
        assert vcenter.task_history_supported is True
        assert vcenter.task_history_until >= older.queueTime
        hist = VSphereTask.objects.get(key="task-hist-1")
        assert hist.task_reference == "Task:task-hist-1" and hist.name_en == "Reconfigure virtual machine"


class TestUpsert:
    def test_both_upserts_store_what_the_orm_stores(self, vcenter, monkeypatch):
        """PostgreSQL's one-statement upsert and SQLite's executemany store exactly what the ORM stores."""
        from django.utils import timezone

        from vsphere.services.task_info import row_values

        sync_inventory(vcenter)
        vm = find_vm(vcenter, "DC0_H0_VM0")
        power_cycle(vm)
        infos = task_sync.read_recent(si_of(vcenter))

        def rows(suffix: str) -> list[dict]:
            out = []
            for number, info in enumerate(infos):
                values = row_values(info, ("中文名", "English name"))
                values["key"] = info.key + suffix
                if number % 2:  # already placed (an update keeps its place); the others from the inventory
                    values.update(entity_path="/dc/h/", datacenter="datacenter-2", host="host-1")
                out.append(values)
            return out

        def stored(suffix: str) -> list[dict]:
            found = VSphereTask.objects.filter(vcenter=vcenter, key__endswith=suffix).order_by("key").values()
            return [{k: v for k, v in row.items() if k not in ("id", "key", "synced_at")} for row in found]

        class Portable:  # the SQLite path, run on this PostgreSQL (the SQL is common to both)
            vendor = "sqlite"

            def __getattr__(self, name):
                return getattr(db_connection, name)

        now = timezone.now()
        assert task_store.upsert(vcenter, rows("-a"), now) == (len(infos), 0)
        monkeypatch.setattr(task_store, "db_connection", Portable())
        assert task_store.upsert(vcenter, rows("-b"), now) == (len(infos), 0)
        assert task_store.upsert(vcenter, rows("-b"), now) == (0, 0)  # same fingerprints: nothing written
        monkeypatch.undo()
        assert task_store.upsert(vcenter, rows("-a"), now) == (0, 0)
        reference = rows("-c")
        task_store._place(vcenter, [row for row in reference if not row.get("entity_path")])
        VSphereTask.objects.bulk_create([VSphereTask(vcenter=vcenter, synced_at=now, **row) for row in reference])
        assert stored("-a") == stored("-b") == stored("-c") and len(stored("-a")) == len(infos)
        place = InventoryObject.objects.get(vcenter=vcenter, moref=vm._moId)
        placed = [row for row in stored("-a") if row["entity_moref"] == vm._moId and row["entity_path"] != "/dc/h/"]
        assert placed and all((row["entity_path"], row["datacenter"], row["host"]) ==
                              (place.path, place.datacenter, place.host) for row in placed)
        changed = rows("-a")
        for row in changed:
            row.update(status="error", progress=50, task={"Key": row["key"]}, message="", fingerprint="changed")
        assert task_store.upsert(vcenter, changed, now) == (0, len(infos))
        again = stored("-a")
        assert len(again) == len(infos)
        assert all(row["status"] == "error" and row["progress"] == 50 for row in again)
        before = {row["task"]["Key"]: row["entity_path"] for row in stored("-b")}
        assert all(row["entity_path"] == before[row["task"]["Key"][:-2]] for row in again)
        assert VSphereTask.objects.filter(vcenter=vcenter, key__endswith="-a").first().synced_at == now
