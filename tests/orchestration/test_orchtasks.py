"""Orchestration tasks against the vSphere simulator, driven in-process (no workers).

Create, validate, execute (steps in order with delays), per-resource results read
back from the execution, pause between steps and resume, abort, retry of a failed
resource only, Update reset and Condition-selected resources.
"""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orchestration.engine.runner import advance
from orchestration.errors import Conflict, Forbidden, InvalidParameter, NotFound
from orchestration.models import Execution, OrchTask, Region, TaskExecution
from orchestration.services import orchtask_runs
from orchestration.services import orchtasks as svc
from orchestration.services.executions import start_execution
from tests.orchestration.engine.conftest import drive
from tests.vsphere.conftest import _fresh_sessions, vcenter  # noqa: F401 (fixtures)
from vsphere.models import EntityType, InventoryObject
from vsphere.services.sync import sync_vcenter

pytestmark = pytest.mark.django_db

REGION = "cn-sim"


@pytest.fixture
def synced(vcenter):  # noqa: F811 (the fixture)
    vcenter.region = Region.objects.create(id=REGION, alias="Simulator")
    vcenter.save()
    sync_vcenter(vcenter, tasks=False)
    return vcenter


def vm(vc, name: str) -> InventoryObject:
    return InventoryObject.objects.get(vcenter=vc, type=EntityType.VM, name=name)


def step(order: int, *ids: str, delay: int = 0) -> str:
    return json.dumps({"order": order, "delay": delay, "resourceIDs": ",".join(ids)})


def create(tenant, user, steps, task_type="StartInOrder", **kw):
    return svc.create_orch_task(tenant=tenant, user=user, region=REGION, name=kw.pop("name", "batch"),
                                task_type=task_type, resource_type="VM", steps=steps, **kw)


def run_vm_action(tenant, user, action: str, morefs: list[str], **props) -> Execution:
    tpl = {"FormatVersion": "OOS-2019-06-01", "Tasks": [
        {"Name": "a", "Action": action, "Properties": {"VMIds": morefs, **props}}]}
    ex = start_execution(tenant=tenant, user=user, template=None, template_content=json.dumps(tpl),
                         safety_check="Skip")
    return drive(ex, timeout=60)


def results(task: OrchTask) -> dict[str, str]:
    task = OrchTask.objects.get(pk=task.pk)
    return {r.resource_id: r.execution.result for s in orchtask_runs.step_views(task) for r in s.resources}


def test_two_steps_with_a_delay_run_in_order(synced, tenant_a, operator_a):
    a, b, c = (vm(synced, n).moref for n in ("DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0"))
    run_vm_action(tenant_a, operator_a, "ACS::VSphere::StopVM", [a, b, c])
    task = create(tenant_a, operator_a, [step(2, c, delay=1), step(1, a, b)], remark="nightly")
    assert orchtask_runs.task_status(task) == "Ready"
    views = orchtask_runs.step_views(task)
    assert [(v.order, v.delay, [r.resource_id for r in v.resources]) for v in views] == [(1, 0, [a, b]), (2, 1, [c])]
    assert views[0].resources[0].name == "DC0_H0_VM0"

    tpl = svc.generated_template(task)
    assert [t["Name"] for t in tpl["Tasks"]] == ["Step1", "Step2Delay", "Step2"]
    assert tpl["Tasks"][1] == {**tpl["Tasks"][1], "Action": "ACS::Sleep", "Properties": {"Duration": "PT1S"}}
    assert tpl["Tasks"][2]["Loop"]["Items"] == [c]

    task = svc.operate_orch_task(task, operator_a, "Execute")
    assert orchtask_runs.task_status(task) == "Running"
    ex = drive(task.latest_execution, timeout=60)
    assert ex.status == "Success", ex.status_message
    task.refresh_from_db()
    assert orchtask_runs.task_status(task) == "Success"
    assert results(task) == {a: "Success", b: "Success", c: "Success"}
    record = orchtask_runs.execution_record(task)
    assert record.result == "Success" and record.starts_at and record.ends_at
    step1 = TaskExecution.objects.get(execution=ex, task_name="Step1", parent_task_execution=None)
    step2 = TaskExecution.objects.get(execution=ex, task_name="Step2", parent_task_execution=None)
    sleep = TaskExecution.objects.get(execution=ex, task_name="Step2Delay")
    assert step1.end_date <= sleep.start_date and (step2.start_date - sleep.start_date).total_seconds() >= 1
    sync_vcenter(synced, tasks=False)
    assert {vm(synced, n).power_state for n in ("DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0")} == {"poweredOn"}
    per_vm = orchtask_runs.step_views(OrchTask.objects.get(pk=task.pk))[0].resources[0].execution
    assert per_vm.starts_at and per_vm.ends_at and per_vm.task_execution_id

    # Executing again clears the per-resource records of the previous run.
    task = svc.operate_orch_task(task, operator_a, "Execute")
    assert set(results(task).values()) <= {"Waiting", "Running"}
    drive(task.latest_execution, timeout=60)


def test_pause_between_steps_and_resume(synced, tenant_a, operator_a):
    a, b = (vm(synced, n).moref for n in ("DC0_H0_VM0", "DC0_H0_VM1"))
    task = create(tenant_a, operator_a, [step(1, a), step(2, b, delay=1)], task_type="SnapshotInOrder")
    task = svc.operate_orch_task(task, operator_a, "Execute")
    advance(task.latest_execution_id)  # step 1 is under way
    task = svc.operate_orch_task(task, operator_a, "Pause")
    assert orchtask_runs.task_status(task) in ("Pausing", "Paused")
    with pytest.raises(Conflict):
        svc.operate_orch_task(task, operator_a, "Pause")
    ex = drive(task.latest_execution, timeout=60)
    assert ex.status == "Waiting"
    task.refresh_from_db()
    assert orchtask_runs.task_status(task) == "Paused"
    assert results(task) == {a: "Success", b: "Waiting"}
    assert not TaskExecution.objects.filter(execution=ex, task_name="Step2").exists()  # held before it
    with pytest.raises(Conflict):
        svc.update_orch_task(task, operator_a, steps=[step(1, a)])

    task = svc.operate_orch_task(task, operator_a, "Resume")
    assert orchtask_runs.task_status(task) == "Running"
    ex = drive(task.latest_execution, timeout=60)
    assert ex.status == "Success", ex.status_message
    assert results(task) == {a: "Success", b: "Success"}
    ops = TaskExecution.objects.get(execution=ex, task_name="Step2", loop_item=b).extra["action"]["ops"]
    assert ops[0]["State"] == "success"


def test_retry_runs_only_the_failed_resource(synced, tenant_a, operator_a):
    """RevertInOrder fails on a VM without snapshots; after one is taken, Retry re-runs only that VM."""
    a, b, c = (vm(synced, n).moref for n in ("DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0"))
    for _ in range(3):  # the simulator outlives a test run: drop snapshots of earlier runs
        run_vm_action(tenant_a, operator_a, "ACS::VSphere::RemoveVMSnapshot", [a, b], SnapshotName="base",
                      RemoveChildren=True)
    run_vm_action(tenant_a, operator_a, "ACS::VSphere::CreateVMSnapshot", [a, c], SnapshotName="base")
    task = create(tenant_a, operator_a, [step(1, a, b), step(2, c)], task_type="RevertInOrder")
    task = svc.operate_orch_task(task, operator_a, "Execute")
    ex = drive(task.latest_execution, timeout=60)
    assert ex.status == "Failed"
    task.refresh_from_db()
    assert orchtask_runs.task_status(task) == "Failed"
    got = {r.resource_id: r.execution for s in orchtask_runs.step_views(task) for r in s.resources}
    assert got[a].result == "Success" and got[b].result == "Failed"
    assert "no snapshot" in got[b].message
    assert got[c].result == "NotRun"
    first_a = got[a].task_execution_id

    run_vm_action(tenant_a, operator_a, "ACS::VSphere::CreateVMSnapshot", [b], SnapshotName="base")
    task = svc.operate_orch_task(task, operator_a, "Retry")
    ex = drive(task.latest_execution, timeout=60)
    assert ex.status == "Success", ex.status_message
    views = orchtask_runs.step_views(OrchTask.objects.get(pk=task.pk))
    got = {r.resource_id: r.execution for s in views for r in s.resources}
    assert {k: v.result for k, v in got.items()} == dict.fromkeys(got, "Success")
    assert got[a].task_execution_id == first_a  # not run again
    assert TaskExecution.objects.filter(execution=ex, task_name="Step1", loop_item=b).count() == 2


def test_abort_interrupts_and_update_resets(synced, tenant_a, operator_a):
    a, b = (vm(synced, n).moref for n in ("DC0_H0_VM0", "DC0_H0_VM1"))
    task = create(tenant_a, operator_a, [step(1, a), step(2, b, delay=30)], task_type="SnapshotInOrder")
    task = svc.operate_orch_task(task, operator_a, "Execute")
    advance(task.latest_execution_id)  # step 1 starts, step 2's delay begins
    task = svc.operate_orch_task(task, operator_a, "Abort")
    ex = drive(task.latest_execution, timeout=30)
    assert ex.status == "Cancelled"
    task.refresh_from_db()
    assert orchtask_runs.task_status(task) == "Interrupted"
    assert orchtask_runs.execution_record(task).result == "Interrupted"
    assert results(task)[b] == "Interrupted"
    with pytest.raises(Conflict):
        svc.operate_orch_task(task, operator_a, "Retry")
    task = svc.operate_orch_task(task, operator_a, "Update")
    assert orchtask_runs.task_status(task) == "Ready" and results(task) == {a: "", b: ""}
    svc.update_orch_task(task, operator_a, steps=[step(1, b), step(2, a, delay=5)])
    assert [(v.order, v.resources[0].resource_id) for v in orchtask_runs.step_views(task)] == [(1, b), (2, a)]


def test_condition_selects_resources_when_steps_list_none(synced, tenant_a, operator_a):
    task = create(tenant_a, operator_a, [], condition=json.dumps({"NamePattern": "DC0_H0_*"}))
    names = sorted(r.name for s in orchtask_runs.step_views(task) for r in s.resources)
    assert names == ["DC0_H0_VM0", "DC0_H0_VM1"]
    run_vm_action(tenant_a, operator_a, "ACS::VSphere::StopVM", [vm(synced, "DC0_H0_VM1").moref])
    sync_vcenter(synced, tasks=False)
    task.condition = json.dumps({"NamePattern": "DC0_H0_*", "PowerState": "poweredOff"})
    assert [r.name for s in orchtask_runs.step_views(task) for r in s.resources] == ["DC0_H0_VM1"]
    run_vm_action(tenant_a, operator_a, "ACS::VSphere::StartVM", [vm(synced, "DC0_H0_VM1").moref])


@pytest.mark.parametrize(("steps", "message"), [
    (["{not json"], "Steps.0: is not JSON"),
    ([json.dumps({"order": 1, "delay": 3601, "resourceIDs": "vm-1"})], "Steps.0 (order 1): delay must be"),
    ([json.dumps({"order": 1, "delay": -1, "resourceIDs": "vm-1"})], "delay must be an integer from 0 to 3600"),
    ([json.dumps({"order": 0, "resourceIDs": "vm-1"})], "order must be a positive integer"),
    ([json.dumps({"order": 1, "resourceIDs": ""})], "resourceIDs lists no resource"),
    ([json.dumps({"order": 1, "resourceIDs": "x", "color": 1})], "unknown field(s) color"),
    ([], "give at least one step, or a Condition"),
])
def test_step_rules_name_the_step(synced, tenant_a, operator_a, steps, message):
    with pytest.raises(InvalidParameter) as err:
        create(tenant_a, operator_a, steps)
    assert message in str(err.value)


def test_resource_rules(synced, tenant_a, operator_a):
    a, b = vm(synced, "DC0_H0_VM0").moref, vm(synced, "DC0_H0_VM1").moref
    host = InventoryObject.objects.filter(vcenter=synced, type=EntityType.HOST).first().moref
    cases = [
        ([step(1, a), step(1, b)], "order 1 is used by Steps.0 too; orders must be unique"),
        ([step(1, a), step(2, a)], f"resource {a} is in step order 1 already; a resource belongs to one step only"),
        ([step(1, a, "vm-404")], "resource vm-404 does not exist in the synced inventory"),
        ([step(1, host)], f"resource {host} is a {EntityType.HOST}, not a VM"),
    ]
    for steps, message in cases:
        with pytest.raises(InvalidParameter) as err:
            create(tenant_a, operator_a, steps)
        assert message in str(err.value), str(err.value)
    with pytest.raises(InvalidParameter, match="unknown task type"):
        create(tenant_a, operator_a, [step(1, a)], task_type="ExplodeInOrder")
    with pytest.raises(InvalidParameter, match="Name: must be 1 to 128"):
        create(tenant_a, operator_a, [step(1, a)], name="x" * 129)
    with pytest.raises(InvalidParameter, match="Remark"):
        create(tenant_a, operator_a, [step(1, a)], remark="r" * 101)
    with pytest.raises(NotFound):
        svc.create_orch_task(tenant=tenant_a, user=operator_a, region="nowhere", name="n", task_type="StartInOrder",
                             resource_type="VM", steps=[step(1, a)])
    with pytest.raises(InvalidParameter, match="Condition.PowerState"):
        create(tenant_a, operator_a, [], condition='{"PowerState": "on"}')


def test_tenant_isolation_and_roles(synced, tenant_a, tenant_b, operator_a, viewer_a, admin_b):
    a = vm(synced, "DC0_H0_VM0").moref
    with pytest.raises(Forbidden):
        create(tenant_a, viewer_a, [step(1, a)])
    with pytest.raises(InvalidParameter, match="does not exist in the synced inventory"):
        create(tenant_b, admin_b, [step(1, a)])  # tenant B has no vCenter
    task = create(tenant_a, operator_a, [step(1, a)])
    with pytest.raises(NotFound):
        svc.get_task(admin_b, task.pk)
    assert svc.get_task(viewer_a, task.pk) == task
    with pytest.raises(Forbidden):
        svc.operate_orch_task(task, viewer_a, "Execute")
    with pytest.raises(InvalidParameter, match="Operation"):
        svc.operate_orch_task(task, operator_a, "Explode")
    assert list(svc.tasks_for(operator_a).filter(orchtask_runs.status_filter("Ready"))) == [task]


# ---------------------------------------------------------------------- native API and admin


def test_native_api(synced, tenant_a, operator_a, viewer_a, admin_b, api):
    a, b = vm(synced, "DC0_H0_VM0").moref, vm(synced, "DC0_H0_VM1").moref
    client = api.as_user(operator_a)
    types = client.get("/api/v1/orch-tasks/types/").json()
    assert {t["task_type"] for t in types} >= {"StartInOrder", "StopInOrder", "SnapshotInOrder"}
    answer = client.post("/api/v1/orch-tasks/", {
        "region": REGION, "name": "api", "task_type": "SnapshotInOrder",
        "steps": [{"order": 1, "delay": 0, "resourceIDs": a}, step(2, b, delay=1)]}, format="json")
    assert answer.status_code == 201, answer.json()
    task_id = answer.json()["id"]
    assert answer.json()["status"] == "Ready"
    assert [s["order"] for s in answer.json()["steps"]] == [1, 2]
    bad = client.post("/api/v1/orch-tasks/", {"region": REGION, "name": "bad", "task_type": "StartInOrder",
                                              "steps": [step(1, a), step(1, b)]}, format="json")
    assert bad.status_code == 400 and "orders must be unique" in json.dumps(bad.json())
    assert client.get(f"/api/v1/orch-tasks/{task_id}/template/").json()["Tasks"][0]["Name"] == "Step1"
    answer = client.post(f"/api/v1/orch-tasks/{task_id}/operate/", {"operation": "Execute"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "Running"
    drive(answer.json()["latest_execution"], timeout=60)
    got = client.get(f"/api/v1/orch-tasks/{task_id}/").json()
    assert got["status"] == "Success" and got["execution"]["result"] == "Success"
    assert {r["resource_id"]: r["execution"]["result"] for s in got["steps"] for r in s["resources"]} == {
        a: "Success", b: "Success"}
    listed = client.get("/api/v1/orch-tasks/", {"status": "Success", "keyword": "api"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [task_id]
    assert rows[0]["steps"] == got["steps"], "a listed task shows the same per-resource results as its page"
    answer = client.patch(f"/api/v1/orch-tasks/{task_id}/", {"steps": [step(1, b)]}, format="json")
    assert answer.status_code == 200 and [r["resource_id"] for r in answer.json()["steps"][0]["resources"]] == [b]
    assert api.as_user(viewer_a).post(f"/api/v1/orch-tasks/{task_id}/operate/", {"operation": "Execute"},
                                      format="json").status_code == 403
    assert api.as_user(admin_b).get(f"/api/v1/orch-tasks/{task_id}/").status_code == 404
    client = api.as_user(operator_a)  # the one client, acting as the operator again
    assert client.post(f"/api/v1/orch-tasks/{task_id}/operate/", {"operation": "Resume"},
                       format="json").status_code == 409
    assert client.delete(f"/api/v1/orch-tasks/{task_id}/").status_code == 204


def test_a_page_of_tasks_costs_the_same_queries_whatever_its_length(synced, tenant_a, operator_a, api):
    a, b = vm(synced, "DC0_H0_VM0").moref, vm(synced, "DC0_H0_VM1").moref
    client = api.as_user(operator_a)

    def queries_of_the_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/orch-tasks/").status_code == 200
        return len(captured)

    for n in range(2):
        create(tenant_a, operator_a, [step(1, a), step(2, b)], name=f"few-{n}")
    queries_of_the_list()  # the forced user object keeps its tenant ids after the first request
    few = queries_of_the_list()
    for n in range(6):
        create(tenant_a, operator_a, [step(1, a, b)], name=f"more-{n}")
    assert queries_of_the_list() == few


def test_admin_pages_and_actions(synced, tenant_a, operator_a, client):
    from django.contrib.auth import get_user_model

    a = vm(synced, "DC0_H0_VM0").moref
    task = create(tenant_a, operator_a, [step(1, a)], task_type="SnapshotInOrder")
    root = get_user_model().objects.create_superuser(username="root", password="pw-root", email="")
    client.force_login(root)
    assert client.get("/admin/orchestration/orchtask/").status_code == 200
    page = client.get(f"/admin/orchestration/orchtask/{task.pk}/change/")
    assert page.status_code == 200 and a in page.content.decode()
    answer = client.post("/admin/orchestration/orchtask/", {"action": "op_execute", "_selected_action": [task.pk]})
    assert answer.status_code == 302
    task.refresh_from_db()
    drive(task.latest_execution, timeout=60)
    page = client.get(f"/admin/orchestration/orchtask/{task.pk}/change/").content.decode()
    assert "Success" in page and "Per-resource results" in page
