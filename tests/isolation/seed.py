"""Tenant A with one of every object, and the fingerprints that must never reach tenant B.

Every string we choose for A carries ``MARK``; generated ids (templates, executions,
keys, the vCenter's uuid, VM names of its inventory) are collected too. A response to
B that contains any of them, other than what B itself sent, is a leak.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from orchestration.models import (
    AccessKey,
    EventTrigger,
    EventTriggerFiring,
    Execution,
    ExecutionLog,
    Face,
    Membership,
    OrchTask,
    Parameter,
    ParameterVersion,
    Project,
    Region,
    ResourceTag,
    Role,
    TaskExecution,
    Tenant,
    TimerTrigger,
)
from orchestration.services import audit
from orchestration.services import event_triggers as event_trigger_service
from orchestration.services import executions as executions_service
from orchestration.services import orchtasks as orchtask_service
from orchestration.services import parameters as parameter_service
from orchestration.services import triggers as trigger_service
from orchestration.services.tenancy import issue_access_key
from templates_app.models import Template, TemplateVersion
from templates_app.services.templates import create_template, update_template
from tests.conftest import make_member
from tests.faces.conftest import Signer, make_signer
from tests.faces.orchtask_fixtures import REGION, moref, step
from tests.orchestration.engine.conftest import drive, tpl
from tests.simulator import make_vcenter
from tests.vsphere.helpers import find_vm, power_cycle
from vsphere.models import EntityType, InventoryObject, VCenter, VSphereEvent, VSphereTask
from vsphere.services.sync import sync_vcenter
from vsphere.services.vcenters import check_connection

MARK = "fp7q"  # in every string chosen for tenant A
ROLES = (Role.VIEWER, Role.OPERATOR, Role.ADMIN)


@dataclass
class SeededA:
    """Tenant A's objects (by id) and fingerprints (label → value)."""

    tenant: Tenant
    ids: dict[str, str] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    vm_morefs: set[str] = field(default_factory=set)  # short ("vm-54"): matched as whole words

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def remember(self, label: str, value) -> str:
        self.ids[label] = str(value)
        self.fingerprints[label] = str(value)
        return str(value)

    def leaked(self, body: bytes | str, sent: str = "") -> list[str]:
        """Fingerprints in ``body`` that B did not send itself (an echoed id is not a leak)."""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        found = [label for label, value in self.fingerprints.items() if value in text and value not in sent]
        found += [f"VM {m}" for m in sorted(self.vm_morefs) if _has_word(text, m) and not _has_word(sent, m)]
        if MARK in text and MARK not in sent:
            found.append(f"a {MARK} string")
        return found


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


PROCEDURE = tpl(
    {"Name": "record", "Action": "Test::Record", "Properties": {"Value": f"{MARK}-output"}},
    {"Name": "approve", "Action": "ACS::Approve", "Properties": {"Message": f"{MARK}-approval"}},
    parameters={"Who": {"Type": "String", "Default": f"{MARK}-who", "Description": f"{MARK}-parameter"}},
)


def seed_tenant_a(vcsim: dict) -> SeededA:
    """One of every object in tenant A, A's signers and a synced simulator vCenter granted to A only."""
    a = SeededA(Tenant.objects.create(name=f"{MARK}-Acme", email=f"ops@{MARK}.test"))
    a.ids["tenant"] = str(a.tenant.pk)  # small integers: placeholders, not fingerprints
    admin = make_member(a.tenant, f"{MARK}-alice", Role.ADMIN)
    a.ids["membership"] = str(admin.memberships.get().pk)
    a.remember("project", Project.objects.create(tenant=a.tenant, name=f"{MARK}-project").pk)
    issued = issue_access_key(a.tenant, admin, f"{MARK}-key")
    a.remember("access_key", issued.key.pk)
    a.remember("access_key_secret", issued.secret)
    _seed_templates_and_runs(a, admin)
    _seed_parameters(a, admin)
    _seed_vsphere(a, admin, vcsim)
    event = audit.record(face=Face.NATIVE, action=f"{MARK}-action", ok=True, user=admin, tenant_id=a.tenant.pk,
                         object_type="template", object_id=a.ids["template"])
    a.ids["audit_event"] = str(event.pk)  # a small integer: a placeholder, not a fingerprint (its action is)
    return a


def _seed_templates_and_runs(a: SeededA, admin) -> None:
    template = create_template(tenant=a.tenant, actor=admin, name=f"{MARK}-template",
                               content=json.dumps(PROCEDURE), version_description=f"{MARK}-v1")
    template = update_template(template, actor=admin, content=json.dumps(
        {**PROCEDURE, "Description": f"{MARK}-description"}), version_description=f"{MARK}-v2")
    a.remember("template", template.pk)
    a.ids["template_name"] = template.name
    execution = executions_service.start_execution(
        tenant=a.tenant, user=admin, template=template, safety_check="Skip", description=f"{MARK}-execution",
        client_token=f"{MARK}-token", tags={f"{MARK}-tag": f"{MARK}-value"})
    execution = drive(execution)
    assert execution.status == "Waiting", execution.status
    a.remember("execution", execution.pk)
    first = execution.task_executions.order_by("pk").first()
    a.remember("task_execution", first.pk)
    trigger = trigger_service.save_trigger(TimerTrigger(
        tenant=a.tenant, template=template, name=f"{MARK}-timer", run_at=timezone.now() + timedelta(days=30),
        owner=admin))
    a.ids["timer_trigger"] = str(trigger.pk)
    on_event = event_trigger_service.save_trigger(EventTrigger(
        tenant=a.tenant, template=template, name=f"{MARK}-on-event", event_types=["VmPoweredOffEvent"], owner=admin))
    a.ids["event_trigger"] = str(on_event.pk)
    firing = EventTriggerFiring.objects.create(trigger=on_event, source_id=0, event_key=1,
                                               event_type="VmPoweredOffEvent", event_time=timezone.now(),
                                               reason=f"{MARK}-reason")
    a.ids["event_firing"] = str(firing.pk)


def _seed_parameters(a: SeededA, admin) -> None:
    for label, secret in (("parameter", False), ("secret_parameter", True)):
        parameter = parameter_service.create(tenant=a.tenant, actor=admin, name=f"{MARK}-{label}", secret=secret,
                                             type=None if secret else "String", value=f"{MARK}-{label}-value",
                                             description=f"{MARK}-{label}-description")
        a.remember(label, parameter.pk)
        a.ids[f"{label}_name"] = parameter.name


def _seed_vsphere(a: SeededA, admin, vcsim: dict) -> None:
    region = Region.objects.create(id=REGION, alias="Simulator")
    vcenter = make_vcenter(vcsim, [a.tenant], region=region, name=f"{MARK}-vcenter")
    assert check_connection(vcenter).ok  # reads the simulator's uuid
    power_cycle(find_vm(vcenter, "DC0_H0_VM1"))  # so the simulator has tasks to sync
    summary = sync_vcenter(vcenter)
    assert summary["ok"], summary
    vcenter.refresh_from_db()
    a.ids["vcenter"] = str(vcenter.pk)
    a.remember("vsphere_uuid", vcenter.vsphere_uuid)
    vms = InventoryObject.objects.filter(vcenter=vcenter, type=EntityType.VM)
    a.vm_morefs = set(vms.values_list("moref", flat=True))
    a.fingerprints.update({f"VM {vm.moref}'s name": vm.name for vm in vms})
    vm = vms.get(name="DC0_H0_VM1")
    a.ids["vm"] = str(vm.pk)
    a.ids["vm_moref"] = vm.moref
    a.ids["vm_reference"] = vm.reference
    event = VSphereEvent.objects.filter(vcenter=vcenter).order_by("-key").first()
    assert event is not None, "the simulator produced no event to sync"
    a.ids["vsphere_event"] = str(event.pk)
    task = VSphereTask.objects.filter(vcenter=vcenter).order_by("-create_time").first()
    assert task is not None, "the simulator produced no task to sync"
    a.ids["vsphere_task"] = str(task.pk)
    a.remember("vsphere_task_key", task.key)
    orchtask = orchtask_service.create_orch_task(
        tenant=a.tenant, user=admin, region=REGION, name=f"{MARK}-orchtask", remark=f"{MARK}-remark",
        task_type="StartInOrder", resource_type="VM", steps=[step(1, moref(vcenter, "DC0_H0_VM1"))],
        project_id=a["project"])
    a.remember("orch_task", orchtask.pk)


def ghost_of(a: SeededA) -> SeededA:
    """A's ids turned into ids of the same shape that name nothing (B must not tell the two apart)."""
    ghost = SeededA(a.tenant, fingerprints=a.fingerprints, vm_morefs=a.vm_morefs)
    ghost.ids = {label: _ghost_id(value) for label, value in a.ids.items()}
    return ghost


def _ghost_id(value: str) -> str:
    if value.isdigit():
        return str(int(value) + 10**6)
    ghost = re.sub(r"\d", "9", value)
    return ghost if ghost != value else f"{value}-ghost"


def signers_of_b() -> dict[str, Signer]:
    """Tenant B's viewer, operator and admin, each with an access key."""
    tenant = Tenant.objects.create(name="Globex", email="ops@globex.test")
    return {role: make_signer(tenant, f"globex-{role}", role) for role in ROLES}


def snapshot_of_a(tenant: Tenant) -> dict[str, list[dict]]:
    """Every row of tenant A, to prove that nothing B tried changed, added or removed any."""
    rows = {
        "tenant": Tenant.objects.filter(pk=tenant.pk),
        "projects": Project.objects.filter(tenant=tenant),
        "memberships": Membership.objects.filter(tenant=tenant),
        "access keys": AccessKey.objects.filter(tenant=tenant),
        "templates": Template.objects.filter(tenant=tenant),
        "template versions": TemplateVersion.objects.filter(template__tenant=tenant),
        "executions": Execution.objects.filter(tenant=tenant),
        "task executions": TaskExecution.objects.filter(execution__tenant=tenant),
        "logs": ExecutionLog.objects.filter(execution__tenant=tenant),
        "tags": ResourceTag.objects.filter(tenant=tenant),
        "timer triggers": TimerTrigger.objects.filter(tenant=tenant),
        "event triggers": EventTrigger.objects.filter(tenant=tenant),
        "event trigger firings": EventTriggerFiring.objects.filter(trigger__tenant=tenant),
        "orch tasks": OrchTask.objects.filter(tenant=tenant),
        "parameters": Parameter.objects.filter(tenant=tenant),
        "parameter versions": ParameterVersion.objects.filter(parameter__tenant=tenant),
        "vcenters": VCenter.objects.filter(tenants=tenant),
        "vcenter grants": VCenter.tenants.through.objects.filter(tenant=tenant),
    }
    return {name: list(query.order_by("pk").values()) for name, query in rows.items()}
