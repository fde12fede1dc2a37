"""ACS::SelectTargets against the simulator: Alibaba's template form chooses VMs a later loop acts on."""
from __future__ import annotations

import json
import uuid

import pytest
from pyVmomi import vim

from orchestration.authorization import SYSTEM
from orchestration.models import TaskExecution
from orchestration.services.executions import start_execution
from templates_app.language.validation import validate
from templates_app.services.templates import create_template
from tests.orchestration.engine.conftest import drive
from vsphere.models import EntityType, InventoryObject, VCenter
from vsphere.services import connection
from vsphere.services.faults import VSphereError
from vsphere.services.sync import sync_vcenter
from vsphere.services.target_filters import select_targets

pytestmark = pytest.mark.django_db


def set_custom_attribute(vcenter, vm_name: str, key: str, value: str) -> None:
    """Set a custom attribute on the simulator's VM (defining the field if needed)."""
    moref = InventoryObject.objects.get(vcenter=vcenter, type=EntityType.VM, name=vm_name).moref

    def work(si):
        manager = si.RetrieveContent().customFieldsManager
        field = next((f for f in manager.field or [] if f.name == key), None)
        if field is None:
            field = manager.AddCustomFieldDef(name=key, moType=vim.VirtualMachine)
        manager.SetField(entity=vim.VirtualMachine(moref, si._stub), key=field.key, value=value)

    connection.call(vcenter, work)


def names(rows) -> list[str]:
    return sorted(row.name for row in rows)


def alibaba_template(filters_default: dict) -> dict:
    """The shape of Alibaba's public templates: a Targets parameter, SelectTargets, a loop over the ids."""
    return {
        "FormatVersion": "OOS-2019-06-01",
        "Parameters": {
            "regionId": {"Type": "String", "Default": ""},
            "targets": {"Type": "Json", "AssociationProperty": "Targets", "Default": filters_default},
            "snapshot": {"Type": "String"},
        },
        "Tasks": [
            {"Name": "getInstance", "Action": "ACS::SelectTargets",
             "Properties": {"ResourceType": "ALIYUN::ECS::Instance", "RegionId": "{{ regionId }}",
                            "Filters": ["{{ targets }}"]},
             "Outputs": {"instanceIds": {"Type": "List", "ValueSelector": ".Instances.Instance[].InstanceId"}}},
            {"Name": "snap", "Action": "ACS::VSphere::CreateVMSnapshot",
             "Properties": {"VMIds": ["{{ ACS::TaskLoopItem }}"], "SnapshotName": "{{ snapshot }}"},
             "Loop": {"Items": "{{ getInstance.instanceIds }}", "Concurrency": 2}},
            {"Name": "unsnap", "Action": "ACS::VSphere::RemoveVMSnapshot",
             "Properties": {"VMIds": ["{{ ACS::TaskLoopItem }}"], "SnapshotName": "{{ snapshot }}"},
             "Loop": {"Items": "{{ getInstance.instanceIds }}"}},
        ],
        "Outputs": {"instanceIds": {"Type": "List", "Value": "{{ getInstance.instanceIds }}"}},
    }


def test_alibaba_template_selects_by_tag_and_loops_over_the_vms(vcenter, tenant_a, operator_a):
    sync_vcenter(vcenter, tasks=False)
    for vm in ("DC0_H0_VM0", "DC0_C0_RP0_VM1"):
        set_custom_attribute(vcenter, vm, "role", "web")
    sync_vcenter(vcenter, tasks=False)
    body = alibaba_template({"Type": "Tags", "Tags": [{"Key": "role", "Value": "web"}]})
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="select-and-snapshot", content=json.dumps(body))
    snapshot = f"sel-{uuid.uuid4().hex[:8]}"
    execution = start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip",
                                parameters={"snapshot": snapshot})
    execution = drive(execution, timeout=60)
    assert execution.status == "Success", execution.status_message
    chosen = {vm.moref: vm.name for vm in InventoryObject.objects.filter(vcenter=vcenter, name__in=[
        "DC0_H0_VM0", "DC0_C0_RP0_VM1"])}
    assert sorted(execution.outputs["instanceIds"]) == sorted(chosen)
    select = TaskExecution.objects.get(execution=execution, task_name="getInstance")
    assert select.outputs == {"instanceIds": execution.outputs["instanceIds"]}
    items = TaskExecution.objects.filter(execution=execution, task_name="snap", parent_task_execution__isnull=False)
    assert sorted(te.loop_item for te in items) == sorted(chosen)
    assert all(te.status == "Success" for te in items)


def test_every_filter_type_against_the_synced_inventory(vcenter, tenant_a):
    sync_vcenter(vcenter, tasks=False)
    set_custom_attribute(vcenter, "DC0_H0_VM1", "owner", "ops")
    sync_vcenter(vcenter, tasks=False)
    scope = [vcenter]
    vm0 = InventoryObject.objects.get(vcenter=vcenter, type=EntityType.VM, name="DC0_H0_VM0")
    every = names(select_targets(scope, [{"Type": "All"}]))
    assert {"DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0"} <= set(every)
    assert names(select_targets(scope, [{"Type": "ResourceIds", "ResourceIds": [vm0.moref]}])) == ["DC0_H0_VM0"]
    assert names(select_targets(scope, [{"Type": "ResourceIds", "ResourceIds": [vm0.instance_uuid]}])) == [
        "DC0_H0_VM0"]
    assert names(select_targets(scope, [{"Type": "NamePattern", "Pattern": "DC0_H0_*"}])) == [
        "DC0_H0_VM0", "DC0_H0_VM1"]
    on_host = names(select_targets(scope, [{"Type": "Host", "Host": "DC0_H0"}]))
    assert on_host == ["DC0_H0_VM0", "DC0_H0_VM1"]
    in_cluster = names(select_targets(scope, [{"Type": "Cluster", "Cluster": "DC0_C0"}]))
    assert in_cluster and all(name.startswith("DC0_C0_") for name in in_cluster)
    assert names(select_targets(scope, [{"Type": "Folder", "Folder": "/DC0/vm"}])) == every
    assert names(select_targets(scope, [{"Type": "ResourceGroup", "ResourceGroupId": "/DC0/vm"}])) == every
    assert names(select_targets(scope, [{"Type": "CustomAttributes", "Attributes": [
        {"Key": "owner", "Value": "ops"}]}])) == ["DC0_H0_VM1"]
    assert names(select_targets(scope, [{"Type": "Tags", "Tags": [{"Key": "owner"}]}])) == ["DC0_H0_VM1"]
    # Filters combine with AND.
    assert names(select_targets(scope, [{"Type": "Host", "Host": "DC0_H0"},
                                        {"Type": "NamePattern", "Pattern": "*VM0"}])) == ["DC0_H0_VM0"]
    assert select_targets(scope, [{"Type": "All", "RegionId": "no-such-region"}]) == []
    with pytest.raises(VSphereError, match="no ClusterComputeResource 'nope'"):
        select_targets(scope, [{"Type": "Cluster", "Cluster": "nope"}])


def test_only_the_tenants_granted_vcenters_are_searched(vcenter, tenant_a, tenant_b, admin_b):
    sync_vcenter(vcenter, tasks=False)
    pick = {"Name": "pick", "Action": "ACS::SelectTargets",
            "Properties": {"ResourceType": "ALIYUN::VSphere::VM", "Filters": [{"Type": "All"}]}}
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": [pick]}
    template = create_template(tenant=tenant_b, actor=SYSTEM, name="pick-all", content=json.dumps(body))
    execution = drive(start_execution(tenant=tenant_b, user=admin_b, template=template), timeout=20)
    assert execution.status == "Failed"
    assert "No vCenter is granted to this tenant" in execution.status_message
    assert VCenter.objects.filter(tenants=tenant_b).count() == 0


def test_validation_speaks_of_resource_types_and_filters():
    def problems(properties):
        body = {"FormatVersion": "OOS-2019-06-01",
                "Tasks": [{"Name": "pick", "Action": "ACS::SelectTargets", "Properties": properties}]}
        return {p.place: p.message for p in validate(body).problems}

    found = problems({"ResourceType": "ALIYUN::RDS::Instance", "Filters": [{"Type": "All"}]})
    assert "ALIYUN::RDS::Instance is an Alibaba Cloud RDS resource type" in found["Tasks[0].Properties.ResourceType"]
    found = problems({"ResourceType": "ALIYUN::VSphere::VM", "Filters": [{"Type": "Cluster"}]})
    assert "'Cluster' is a required property" in found["Tasks[0].Properties.Filters[0]"]
    assert problems({"ResourceType": "ALIYUN::ECS::Instance", "Filters": [
        {"Type": "ResourceIds", "RegionId": "cn-x", "ResourceIds": []}]}) == {}
