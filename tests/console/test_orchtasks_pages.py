"""OrchTask pages against the simulator: list and filters, the form (validation at its step),
the detail page with per-resource results, operations through the service, roles and scoping."""
from __future__ import annotations

import json
import re

import pytest

from orchestration.models import OrchTask, Region, Role
from orchestration.services import orchtasks as svc
from tests.conftest import make_member
from tests.console.conftest import drive
from vsphere.models import EntityType, InventoryObject

pytestmark = pytest.mark.django_db

REGION = "cn-sim"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def inventory(synced_vcenter):
    """The simulator vCenter (tenant A) in region cn-sim, synced."""
    synced_vcenter.region = Region.objects.create(id=REGION, alias="Simulator")
    synced_vcenter.save()
    return synced_vcenter


def vm(name: str) -> str:
    return InventoryObject.objects.get(type=EntityType.VM, name=name).moref


def make_task(tenant, user, *steps, name="nightly", task_type="ResetInOrder") -> OrchTask:
    raw = [json.dumps({"order": o, "delay": d, "resourceIDs": ",".join(ids)}) for o, d, ids in steps]
    return svc.create_orch_task(tenant=tenant, user=user, region=REGION, name=name, task_type=task_type,
                                resource_type="VM", steps=raw)


def form(name="batch", steps=(), condition="", **extra) -> dict:
    data = {"name": name, "remark": "", "region": REGION, "task_type": "ResetInOrder", "resource_type": "VM",
            "condition": condition, "step_count": str(len(steps)), "op": "save", **extra}
    for i, (order, delay, ids) in enumerate(steps):
        data[f"step-{i}-order"] = str(order)
        data[f"step-{i}-delay"] = str(delay)
        data[f"step-{i}-vms"] = list(ids)
    return data


def test_list_filters_and_area_is_on(operator_a, tenant_a, inventory, client_as):
    make_task(tenant_a, operator_a, (1, 0, [vm("DC0_H0_VM0")]), name="web-start")
    make_task(tenant_a, operator_a, (1, 0, [vm("DC0_H0_VM1")]), name="db-start")
    client = client_as(operator_a)
    page = text(client.get("/console/orchtasks/"))
    assert "web-start" in page and "db-start" in page and "Not available yet" not in page
    assert '<a href="/console/orchtasks/" aria-current="page">' in page
    assert "New OrchTask" in page
    only = text(client.get("/console/orchtasks/", {"q": "web"}))
    assert "web-start" in only and "db-start" not in only
    assert "No OrchTask matches." in text(client.get("/console/orchtasks/", {"status": "Running"}))
    assert "web-start" in text(client.get("/console/orchtasks/", {"status": "Ready", "region": REGION}))
    assert "No OrchTask matches." in text(client.get("/console/orchtasks/", {"region": "elsewhere"}))


def test_create_two_steps_through_the_form(operator_a, inventory, client_as):
    a, b, c = vm("DC0_H0_VM0"), vm("DC0_H0_VM1"), vm("DC0_C0_RP0_VM0")
    client = client_as(operator_a)
    page = text(client.get("/console/orchtasks/new/"))
    assert "DC0_H0_VM0" in page and 'data-filter="step-0-vms"' in page and "StartInOrder" in page
    response = client.post("/console/orchtasks/new/", form(steps=[(1, 0, [a, b]), (2, 5, [c])], remark="r"))
    assert response.status_code == 302, text(response)[:3000]
    task = OrchTask.objects.get(name="batch")
    assert [(s.order, s.delay, s.resource_ids) for s in task.steps.all()] == [(1, 0, [a, b]), (2, 5, [c])]
    detail = text(client.get(response["Location"]))
    assert "Step 2" in detail and "DC0_C0_RP0_VM0" in detail and 'id="op-execute"' in detail


def test_add_and_remove_steps_without_saving(operator_a, inventory, client_as):
    client = client_as(operator_a)
    page = text(client.post("/console/orchtasks/new/", form(steps=[(1, 0, [])], op="add-step")))
    assert 'name="step-1-order" value="2"' in page and not OrchTask.objects.exists()
    page = text(client.post("/console/orchtasks/new/", form(steps=[(1, 0, []), (2, 0, [])], op="remove-0")))
    assert 'name="step-0-order" value="2"' in page and "step-1-order" not in page


def test_validation_messages_at_their_step(operator_a, inventory, client_as):
    a, b = vm("DC0_H0_VM0"), vm("DC0_H0_VM1")
    client = client_as(operator_a)
    response = client.post("/console/orchtasks/new/", form(steps=[(1, 0, [a]), (2, 9999, [b])]))
    assert response.status_code == 400
    body = response.content.decode()
    step1 = body[body.index('id="step-1"'):]
    assert "delay must be an integer from 0 to 3600" in step1[: step1.index("</fieldset>")]
    assert "delay must be" not in body[body.index('id="step-0"'): body.index('id="step-1"')]
    # one VM in two steps: the second step is named
    body = client.post("/console/orchtasks/new/", form(steps=[(1, 0, [a]), (2, 0, [a])])).content.decode()
    step1 = body[body.index('id="step-1"'):]
    assert "is in step order 1 already" in step1[: step1.index("</fieldset>")]
    # a VM the inventory does not have: the step with that order is named
    body = client.post("/console/orchtasks/new/", form(steps=[(1, 0, [a]), (3, 0, ["vm-99999"])])).content.decode()
    step1 = body[body.index('id="step-1"'):]
    assert "resource vm-99999 does not exist" in step1[: step1.index("</fieldset>")]
    # a bad Condition is shown at the Condition box, the name at the name
    body = text(client.post("/console/orchtasks/new/", form(name="", condition='{"Color": "red"}')))
    assert "Name: must be 1 to 128 characters" in body
    body = text(client.post("/console/orchtasks/new/", form(condition='{"Color": "red"}')))
    assert re.search(r'id_condition.*Condition: unknown key\(s\) Color', body)
    assert not OrchTask.objects.exists()


def test_edit_saves_steps_and_refuses_while_running(operator_a, tenant_a, inventory, client_as):
    a, b = vm("DC0_H0_VM0"), vm("DC0_H0_VM1")
    task = make_task(tenant_a, operator_a, (1, 0, [a]))
    client = client_as(operator_a)
    assert 'value="ResetInOrder" readonly' in text(client.get(f"/console/orchtasks/{task.pk}/edit/"))
    response = client.post(f"/console/orchtasks/{task.pk}/edit/", form(name="renamed", steps=[(1, 3, [a, b])]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.name == "renamed" and [s.resource_ids for s in task.steps.all()] == [[a, b]]
    svc.operate_orch_task(task, operator_a, "Execute")
    assert "Edit" not in text(client.get(f"/console/orchtasks/{task.pk}/")).split("Status")[0].split("</h1>")[1]
    response = client.post(f"/console/orchtasks/{task.pk}/edit/", form(name="again", steps=[(1, 0, [a])]))
    assert response.status_code == 400 and "abort it (Operation=Abort)" in text(response)


def test_execute_pause_resume_and_results(operator_a, tenant_a, inventory, client_as):
    a, c = vm("DC0_H0_VM0"), vm("DC0_C0_RP0_VM0")
    task = make_task(tenant_a, operator_a, (1, 0, [a]), (2, 1, [c]))
    client = client_as(operator_a)
    url = f"/console/orchtasks/{task.pk}/"
    response = client.post(url + "operate/", {"operation": "Execute"}, follow=True)
    page = text(response)
    task.refresh_from_db()
    assert task.latest_execution is not None and "Execution started." in page
    assert 'data-status="Running"' in page and 'id="op-pause"' in page and 'id="op-abort"' in page
    assert 'id="op-execute"' not in page
    assert f'href="/console/executions/{task.latest_execution_id}/"' in page
    assert 'hx-get="/console/orchtasks/' in page  # live while running

    client.post(url + "operate/", {"operation": "Pause"})
    drive(task.latest_execution_id, timeout=60)
    live = text(client.get(url + "live/"))
    assert 'data-status="Paused"' in live and 'id="op-resume"' in live
    assert f'data-resource="{a}"' in live and 'data-result="Waiting"' in live  # paused before step 1 began
    client.post(url + "operate/", {"operation": "Resume"})
    assert drive(task.latest_execution_id, timeout=60).status == "Success"
    done = text(client.get(url))
    assert 'data-status="Success"' in done and done.count('data-result="Success"') == 2
    assert 'hx-get="/console/orchtasks/' not in done and 'id="op-execute"' in done


def test_abort_and_a_stale_button_is_a_message(operator_a, tenant_a, inventory, client_as):
    task = make_task(tenant_a, operator_a, (1, 30, [vm("DC0_H0_VM0")]))
    client = client_as(operator_a)
    url = f"/console/orchtasks/{task.pk}/"
    client.post(url + "operate/", {"operation": "Execute"})
    assert "Aborted." in text(client.post(url + "operate/", {"operation": "Abort"}, follow=True))
    task.refresh_from_db()
    drive(task.latest_execution_id)  # the engine finishes the cancel
    assert 'data-status="Interrupted"' in text(client.get(url))
    page = text(client.post(url + "operate/", {"operation": "Pause"}, follow=True))
    assert "cannot Pause task" in page  # refused by the service, shown as a message


def test_viewer_reads_but_cannot_operate_or_edit(viewer_a, operator_a, tenant_a, inventory, client_as):
    task = make_task(tenant_a, operator_a, (1, 0, [vm("DC0_H0_VM0")]))
    client = client_as(viewer_a)
    page = text(client.get(f"/console/orchtasks/{task.pk}/"))
    assert "nightly" in page and 'id="op-execute"' not in page and "Edit" not in page.split("</h1>")[1][:400]
    assert "New OrchTask" not in text(client.get("/console/orchtasks/"))
    assert client.post(f"/console/orchtasks/{task.pk}/operate/", {"operation": "Execute"}).status_code == 403
    assert client.get("/console/orchtasks/new/").status_code == 403
    assert client.post(f"/console/orchtasks/{task.pk}/edit/", form()).status_code == 403
    assert client.post(f"/console/orchtasks/{task.pk}/delete/").status_code == 403
    task.refresh_from_db()
    assert task.latest_execution is None


def test_another_tenants_task_is_not_found(operator_a, tenant_a, tenant_b, inventory, client_as):
    task = make_task(tenant_a, operator_a, (1, 0, [vm("DC0_H0_VM0")]))
    bob = make_member(tenant_b, "bob", Role.ADMIN)
    client = client_as(bob)
    assert "nightly" not in text(client.get("/console/orchtasks/"))
    for path in ("", "live/", "edit/"):
        assert client.get(f"/console/orchtasks/{task.pk}/{path}").status_code == 404
    assert client.post(f"/console/orchtasks/{task.pk}/operate/", {"operation": "Execute"}).status_code == 404
    assert client.post(f"/console/orchtasks/{task.pk}/delete/").status_code == 404
    # bob's form offers none of tenant A's VMs
    assert "DC0_H0_VM0" not in text(client.get("/console/orchtasks/new/"))


def test_delete(operator_a, tenant_a, inventory, client_as):
    task = make_task(tenant_a, operator_a, (1, 0, [vm("DC0_H0_VM0")]))
    page = client_as(operator_a).get(f"/console/orchtasks/{task.pk}/").content.decode()
    # the console's one confirmation dialog asks first (static/console/confirm.js)
    assert 'data-confirm="Delete OrchTask nightly and its run history. Its VMs are not touched."' in page
    assert 'id="confirm-dialog"' in page
    response = client_as(operator_a).post(f"/console/orchtasks/{task.pk}/delete/", follow=True)
    assert "OrchTask nightly deleted." in text(response) and not OrchTask.objects.exists()


def test_pages_in_chinese(operator_a, tenant_a, inventory, client_as):
    task = make_task(tenant_a, operator_a, (1, 0, [vm("DC0_H0_VM0")]))
    client = client_as(operator_a)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"})
    listing = text(client.get("/console/orchtasks/"))
    assert "编排任务" in listing and "就绪" in listing
    detail = text(client.get(f"/console/orchtasks/{task.pk}/"))
    assert "执行</button>" in detail and "步骤 1" in detail
    assert "添加步骤" in text(client.get("/console/orchtasks/new/"))
