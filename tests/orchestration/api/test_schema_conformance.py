"""The native API keeps the promises of its OpenAPI schema (issue 12 §6), judged by Schemathesis.

Every operation of ``/api/schema/`` is fuzzed against the live test server (pytest-django's
``live_server``: a real HTTP server thread over the transactional test database), signed in
with a real token: a tenant admin's, or a superuser's for the platform-staff operations.
Each operation starts from freshly seeded objects, and its path parameters are either a
seeded object (so detail routes reach real rows) or one that does not exist.

Checks: no 5xx; every status, content type, body and header is the one the schema documents.
"""
from __future__ import annotations

import json

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from orchestration.models import (
    EventTrigger,
    EventTriggerFiring,
    Face,
    Membership,
    OrchTask,
    OrchTaskStep,
    Project,
    Region,
    Role,
    Tenant,
    TimerTrigger,
)
from orchestration.services import audit, tenancy
from orchestration.services import event_triggers as event_trigger_service
from orchestration.services import executions as execution_service
from orchestration.services import parameters as parameter_service
from orchestration.services import triggers as trigger_service
from templates_app.services.templates import create_template, update_template
from tests.orchestration.engine.conftest import drive, tpl
from tests.simulator import make_vcenter
from vsphere.models import InventoryObject, VSphereEvent, VSphereTask

pytestmark = pytest.mark.vcsim

API = "/api/v1/"
SEEDED, MISSING = "seeded", "missing"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
# Writes that belong to platform staff; a tenant admin's token gets a (documented) 403 there.
STAFF_ONLY = {
    ("POST", "/api/v1/tenants/"), ("DELETE", "/api/v1/tenants/{id}/"),
    ("POST", "/api/v1/regions/"), ("PUT", "/api/v1/regions/{id}/"), ("PATCH", "/api/v1/regions/{id}/"),
    ("DELETE", "/api/v1/regions/{id}/"),
    ("POST", "/api/v1/vcenters/"), ("PUT", "/api/v1/vcenters/{id}/"), ("PATCH", "/api/v1/vcenters/{id}/"),
    ("DELETE", "/api/v1/vcenters/{id}/"),
}
# Values for a path parameter that names nothing: a well-formed id, and for integer ids one past bigint.
MISSING_VALUES = {"string": "does-not-exist", "integer": "9223372036854775808"}


def native_schema() -> dict:
    """The schema ``/api/schema/`` serves (same generator), each path parameter narrowed to "seeded" or "missing"."""
    schema = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    kind = parameter.get("schema", {}).get("type", "string")
                    parameter["schema"] = {"type": "string", "enum": [SEEDED, f"{MISSING}:{kind}"]}
    return schema


# Explicit configuration, so no schemathesis.toml found on disk changes what this test does. Writes run
# every phase: explicit examples, coverage (deterministic boundary, null and missing values) and fuzzing.
# Reads skip the coverage phase, whose exhaustive query-parameter combinations add about two minutes;
# fuzzing still sends ``max_examples`` random positive and negative queries to each. (~5,000 requests.)
CONFIG = SchemathesisConfig.from_dict({
    "operations": [{"include-method": ["GET"], "phases": {"coverage": {"enabled": False}}}],
})
schema = schemathesis.openapi.from_dict(native_schema(), config=CONFIG)


def seed(vcsim: dict) -> dict[str, object]:
    """One object of every kind in one tenant: ``{route: id}`` for the detail routes, plus the two users."""
    tenant = Tenant.objects.create(name="Acme", email="ops@acme.test")
    admin = get_user_model().objects.create_user(username="alice", password="pw-alice")
    membership = Membership.objects.create(user=admin, tenant=tenant, role=Role.ADMIN)
    region = Region.objects.create(id="cn-seed", alias="Seed")
    project = Project.objects.create(tenant=tenant, name="seed")
    key = tenancy.issue_access_key(tenant, admin, "seed").key
    content = tpl({"Name": "approve", "Action": "ACS::Approve", "Properties": {"Message": "ok?"}})
    template = create_template(tenant=tenant, actor=admin, name="seed", content=json.dumps(content))
    template = update_template(template, actor=admin, content=json.dumps({**content, "Description": "v2"}))
    execution = drive(execution_service.start_execution(tenant=tenant, user=admin, template=template,
                                                        safety_check="Skip"))
    trigger = trigger_service.save_trigger(TimerTrigger(tenant=tenant, template=template, name="nightly",
                                                        cron="0 3 * * *", owner=admin))
    orch_task = OrchTask.objects.create(tenant=tenant, region=region, name="seed", task_type="StartInOrder",
                                        created_by=admin)
    OrchTaskStep.objects.create(task=orch_task, order=1, resource_ids=["vm-1"])
    vcenter = make_vcenter(vcsim, tenants=[tenant], region=region)
    inventory = InventoryObject.objects.create(vcenter=vcenter, moref="vm-1", type="VirtualMachine", name="vm",
                                               path="group-d1/vm-1")
    vsphere_task = VSphereTask.objects.create(vcenter=vcenter, key="task-1", task_reference="task-1",
                                              status="success")
    on_event = event_trigger_service.save_trigger(EventTrigger(
        tenant=tenant, template=template, name="on power-off", event_types=["VmPoweredOffEvent"], owner=admin))
    firing = EventTriggerFiring.objects.create(trigger=on_event, source_id=vcenter.pk, event_key=1,
                                               event_type="VmPoweredOffEvent", event_time=timezone.now())
    vsphere_event = VSphereEvent.objects.create(vcenter=vcenter, key=1, event_type="VmPoweredOffEvent",
                                                created_time=timezone.now(), entity_moref="vm-1")
    plain = parameter_service.create(tenant=tenant, actor=admin, name="seed", type="String", value="v", secret=False)
    secret = parameter_service.create(tenant=tenant, actor=admin, name="seed", value="s", secret=True)
    event = audit.record(face=Face.NATIVE, action="templates.create", ok=True, user=admin, tenant_id=tenant.pk,
                         object_type="template", object_id=template.pk)
    return {
        "tenants": tenant.pk, "projects": project.pk, "regions": region.pk, "members": membership.pk,
        "access-keys": key.pk, "executions": execution.pk,
        "task-executions": execution.task_executions.first().pk, "timer-triggers": trigger.pk,
        "orch-tasks": orch_task.pk, "templates": template.pk, "actions": "ACS::Sleep", "version": "v1",
        "vcenters": vcenter.pk, "vsphere-inventory": inventory.pk, "vsphere-tasks": vsphere_task.pk,
        "audit-events": event.pk, "event-triggers": on_event.pk, "event-trigger-firings": firing.pk,
        "vsphere-events": vsphere_event.pk, "parameters": plain.pk, "secret-parameters": secret.pk,
        "_admin": admin,
        "_root": get_user_model().objects.create_superuser(username="root", password="pw-root", email=""),
    }


@pytest.fixture
def world(transactional_db, vcsim) -> dict:
    return seed(vcsim)


def path_value(route: str, name: str, value: str, world: dict) -> str:
    """The seeded object's id for ``{name}`` under ``route``, or an id that names nothing."""
    if value == SEEDED:
        return str(world["version" if name == "version" else route])
    return MISSING_VALUES.get(value.partition(":")[2], MISSING_VALUES["string"])


def token_for(method: str, path: str, world: dict) -> str:
    """A superuser's token for the staff-only writes, the tenant admin's for everything else."""
    user = world["_root"] if (method, path) in STAFF_ONLY else world["_admin"]
    return Token.objects.get_or_create(user=user)[0].key


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_native_api_conforms_to_its_schema(case, world, live_server):
    route = case.path.removeprefix(API).split("/", 1)[0]
    case.path_parameters = {name: path_value(route, name, value, world)
                            for name, value in (case.path_parameters or {}).items()}
    token = token_for(case.method.upper(), case.path, world)
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {token}"}, checks=CHECKS)
