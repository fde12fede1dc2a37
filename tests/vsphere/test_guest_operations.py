"""RunCommand, UploadFile and DownloadFile on the simulator's double of VMware Tools.

The double (see tests/vsphere/guest_simulator.py and tests/infra/vcsim/guest.go) runs each
VM's commands with /bin/sh in a private directory on this machine; it does not model
isolation, guest users, Windows guests or Tools' own delays. The end-to-end test runs
through real django-q2 workers; the others advance the engine in-process.
"""
from __future__ import annotations

import base64
import json
import os
import stat

import pytest
from django.test import Client

from orchestration.authorization import SYSTEM
from orchestration.models import Execution, ExecutionLog, TaskExecution
from orchestration.services import parameters as parameter_service
from orchestration.services.executions import cancel_execution, start_execution
from templates_app.services.templates import create_template
from tests.orchestration.engine.conftest import drive
from tests.orchestration.engine.workers import Processes, wait_for
from tests.simulator import make_vcenter
from vsphere.models import EntityType, InventoryObject
from vsphere.services import guest_operations as guest
from vsphere.services.sync import sync_vcenter

from .guest_simulator import LOGIN, OPS_DISABLED, OTHER_LOGIN, TOOLS_NOT_RUNNING, TOOLS_TOO_OLD, GuestSimulator

CREDENTIAL = json.dumps(LOGIN)
SECRET_LOGIN = "guest-login"
SCRIPT = """echo "hello from $GUEST_VM_NAME"
sleep 0.5
if [ -f fail-once ]; then rm fail-once; echo "first try fails" >&2; exit 4; fi
if [ -f fail-always ]; then echo "disk is broken" >&2; exit 7; fi
echo done
"""


@pytest.fixture(scope="module")
def guest_sim(tmp_path_factory):
    sim = GuestSimulator(tmp_path_factory.mktemp("guest-vcsim"))
    yield sim
    sim.stop()


@pytest.fixture
def guest_vcenter(guest_sim, tenant_a):
    vcenter = make_vcenter(guest_sim.address, [tenant_a], name="guest-sim")
    sync_vcenter(vcenter, tasks=False)
    # RunCommand logs in with a secret parameter, as a runbook should.
    parameter_service.create(tenant=tenant_a, actor=SYSTEM, name=SECRET_LOGIN, value=CREDENTIAL, secret=True)
    return vcenter


def template(tenant, tasks, parameters=None, outputs=None, name="guest"):
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": tasks,
            "Parameters": {"Credential": {"Type": "String", "Default": ""}, **(parameters or {})}}
    if outputs:
        body["Outputs"] = outputs
    return create_template(tenant=tenant, actor=SYSTEM, name=name, content=json.dumps(body))


def start(tenant, user, tpl, **parameters):
    return start_execution(tenant=tenant, user=user, template=tpl, safety_check="Skip",
                           parameters=parameters)


def moref(vcenter, name: str) -> str:
    return InventoryObject.objects.get(vcenter=vcenter, type=EntityType.VM, name=name).moref


def run_command(**props) -> dict:
    return {"Action": "ACS::VSphere::RunCommand",
            "Properties": {"GuestCredential": f"{{{{ oos-secret:{SECRET_LOGIN} }}}}", "CommandType": "RunShellScript",
                           **props}}


def assert_secret_nowhere(execution: Execution) -> None:
    """The guest password is in no row the execution wrote (parameters, properties, state, outputs,
    messages, log lines): RunCommand's login came from a secret parameter."""
    rows = [Execution.objects.filter(pk=execution.pk).values(), TaskExecution.objects.filter(execution=execution)
            .values(), ExecutionLog.objects.filter(execution=execution).values()]
    assert LOGIN["Password"] not in json.dumps([list(r) for r in rows], default=str)


@pytest.mark.django_db(transaction=True)
def test_script_on_20_vms_at_concurrency_5_through_real_workers(guest_sim, guest_vcenter, tenant_a, operator_a):
    """20 VMs, 5 at a time: each exit code and output is collected; the VM failing once is
    retried and succeeds, the two VMs configured to fail fail after their retry."""
    (guest_sim.guest_dir("DC0_H0_VM3") / "fail-always").touch()
    (guest_sim.guest_dir("DC0_C0_RP0_VM5") / "fail-always").touch()
    (guest_sim.guest_dir("DC0_H0_VM7") / "fail-once").touch()
    tpl = template(tenant_a, [
        {"Name": "find", "Action": "ACS::VSphere::DescribeVMs", "Properties": {"NamePattern": "DC0_*_VM[0-9]"},
         "Outputs": {"ids": {"Type": "List", "ValueSelector": "[.VMs[].VMId]"}}},
        {"Name": "run", **run_command(VMIds=["{{ ACS::TaskLoopItem }}"], CommandContent=SCRIPT, Timeout=60),
         "Retries": 1, "RetryInterval": 0,
         "Outputs": {"line": {"Type": "String", "ValueSelector": ".Output | split(\"\\n\") | .[0]"}},
         "Loop": {"Items": "{{ find.ids }}", "Concurrency": 5, "MaxErrors": 2,
                  "Outputs": {"lines": {"AggregateType": "Fn::ListJoin", "AggregateField": "line"}}}},
    ], outputs={"Lines": {"Type": "List", "Value": "{{ run.lines }}"}})
    processes = Processes()
    try:
        processes.start_worker()
        processes.start_ticker()
        execution = start(tenant_a, operator_a, tpl)
        execution = wait_for(lambda: (e := Execution.objects.get(pk=execution.pk)).is_finished and e, timeout=120)
    finally:
        processes.stop_all()
    assert execution.status == "Success", execution.status_message
    items = TaskExecution.objects.filter(execution=execution, task_name="run", parent_task_execution__isnull=False)
    assert items.count() == 20
    failed = {te.extra["action"]["ops"][0]["Name"]: te for te in items if te.status == "Failed"}
    assert sorted(failed) == ["DC0_C0_RP0_VM5", "DC0_H0_VM3"]
    for te in failed.values():
        op = te.extra["action"]["ops"][0]
        assert te.tries == 2 and op["ExitCode"] == 7 and op["StdErr"] == "disk is broken\n"
        assert "exit code 7: disk is broken" in te.status_message
    flaky = next(te for te in items if te.extra["action"]["ops"][0]["Name"] == "DC0_H0_VM7")
    assert flaky.status == "Success" and flaky.tries == 2
    ok = [te for te in items if te.status == "Success"]
    assert len(ok) == 18
    for te in ok:
        op = te.extra["action"]["ops"][0]
        assert te.outputs["line"] == f"hello from {op['Name']}" and op["ExitCode"] == 0
        assert op["Output"].endswith("done\n") and op["StartTime"] <= op["EndTime"]
    assert sorted(execution.outputs["Lines"]) == sorted(f"hello from {te.extra['action']['ops'][0]['Name']}"
                                                        for te in ok)
    assert list(guest_sim.guest_root.glob("*/tmp/oos-*")) == []  # every temporary file was deleted
    assert 2 <= max_overlap(items) <= 5
    assert_secret_nowhere(execution)
    console_shows_results(execution, operator_a)


def console_shows_results(execution: Execution, user) -> None:
    """The loop's items page: every VM's exit code and output with a copy button; filtered by
    Failed, only the two failing VMs with their standard error."""
    client = Client()
    client.force_login(user)
    loop = TaskExecution.objects.get(execution=execution, task_name="run", parent_task_execution__isnull=True)
    url = f"/console/executions/{execution.pk}/tasks/{loop.pk}/items/"
    page = client.get(url).content.decode()
    assert page.count('class="guest-result"') == 20 and page.count("data-copy=") >= 20
    assert "hello from DC0_H0_VM0" in page and LOGIN["Password"] not in page
    failed = client.get(url, {"status": "Failed"}).content.decode()
    assert failed.count('class="guest-result"') == 2
    assert failed.count('<td class="num exit-code">7</td>') == 2 and "disk is broken" in failed


def max_overlap(items) -> int:
    """The most loop items running at one moment."""
    edges = sorted([(te.start_date, 1) for te in items] + [(te.end_date, -1) for te in items])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


@pytest.mark.django_db(transaction=True)
def test_cancel_mid_run_terminates_the_guest_processes(guest_sim, guest_vcenter, tenant_a, operator_a):
    names = ["DC0_H0_VM0", "DC0_H0_VM1", "DC0_H0_VM2"]
    tpl = template(tenant_a, [{"Name": "long", **run_command(VMNames=names, CommandContent="sleep 120\n")}])
    processes = Processes()
    try:
        processes.start_worker()
        processes.start_ticker()
        execution = start(tenant_a, operator_a, tpl)

        def started():
            te = TaskExecution.objects.filter(execution=execution, task_name="long").first()
            ops = (te.extra.get("action") or {}).get("ops") if te else None
            return ops if ops and all(op.get("Pid") for op in ops) else None

        ops = wait_for(started, timeout=60, what="three guest processes started")
        cancel_execution(Execution.objects.get(pk=execution.pk), operator_a)
        execution = wait_for(lambda: (e := Execution.objects.get(pk=execution.pk)).is_finished and e, timeout=30)
    finally:
        processes.stop_all()
    assert execution.status == "Cancelled"
    login = guest.parse_login(CREDENTIAL)
    for op in ops:
        state = guest.process_state(guest_vcenter, op["VMId"], login, op["Pid"])
        assert state.exit_code == 128 + 9, (op["Name"], state)  # SIGKILLed by TerminateProcessInGuest
    assert list(guest_sim.guest_root.glob("DC0_H0_VM[012]/tmp/oos-*")) == []


@pytest.mark.django_db
def test_timeout_terminates_the_guest_process(guest_sim, guest_vcenter, tenant_a, operator_a):
    tpl = template(tenant_a, [{"Name": "slow", **run_command(VMNames=["DC0_H0_VM4"], CommandContent="sleep 60\n",
                                                              Timeout=1)}])
    execution = drive(start(tenant_a, operator_a, tpl), timeout=30)
    assert execution.status == "Failed"
    te = TaskExecution.objects.get(execution=execution, task_name="slow")
    assert "timed out after 1 s; the guest process was terminated" in te.status_message
    op = te.extra["action"]["ops"][0]
    state = guest.process_state(guest_vcenter, op["VMId"], guest.parse_login(CREDENTIAL), op["Pid"])
    assert state.exit_code == 137


@pytest.mark.django_db
def test_working_dir_and_environment_variables(guest_sim, guest_vcenter, tenant_a, operator_a):
    (guest_sim.guest_dir("DC0_H0_VM8") / "app").mkdir(exist_ok=True)
    tpl = template(tenant_a, [{"Name": "env", **run_command(
        VMNames=["DC0_H0_VM8"], CommandContent='echo "$GREETING, $WHO"; pwd\n', WorkingDir="/app",
        EnvironmentVariables={"GREETING": "hello", "WHO": "ops"}),
        "Outputs": {"out": {"Type": "String", "ValueSelector": ".Output"}}}],
        outputs={"Out": {"Type": "String", "Value": "{{ env.out }}"}}, name="guest-env")
    execution = drive(start(tenant_a, operator_a, tpl), timeout=30)
    assert execution.status == "Success", execution.status_message
    greeting, cwd = execution.outputs["Out"].splitlines()
    assert greeting == "hello, ops" and cwd.endswith("/DC0_H0_VM8/app")


@pytest.mark.django_db
def test_output_is_kept_up_to_its_limit_with_a_truncated_flag(guest_sim, guest_vcenter, tenant_a, operator_a):
    from vsphere.actions.guest import OUTPUT_LIMIT_BYTES

    script = f"head -c {OUTPUT_LIMIT_BYTES + 100} /dev/zero | tr '\\0' x; echo short >&2\n"
    selector = "{OutputTruncated, StdErr, StdErrTruncated, n: (.Output | length)}"
    tpl = template(tenant_a, [{"Name": "big", **run_command(VMNames=["DC0_H0_VM5"], CommandContent=script),
                               "Outputs": {"result": {"Type": "Json", "ValueSelector": selector}}}],
                   outputs={"R": {"Type": "Json", "Value": "{{ big.result }}"}}, name="guest-big")
    execution = drive(start(tenant_a, operator_a, tpl), timeout=30)
    assert execution.status == "Success", execution.status_message
    assert execution.outputs["R"] == {"OutputTruncated": True, "StdErr": "short\n", "StdErrTruncated": False,
                                      "n": OUTPUT_LIMIT_BYTES}


@pytest.mark.django_db
def test_upload_then_download_returns_the_same_bytes(guest_sim, guest_vcenter, tenant_a, operator_a):
    blob = os.urandom(200_000)
    encoded = base64.b64encode(blob).decode()
    target = {"VMNames": ["DC0_H0_VM6"], "GuestCredential": f"{{{{ oos-secret:{SECRET_LOGIN} }}}}",
              "GuestPath": "/tmp/blob.bin"}
    tpl = template(tenant_a, [
        {"Name": "up", "Action": "ACS::VSphere::UploadFile",
         "Properties": {**target, "Content": "{{ Blob }}", "ContentEncoding": "Base64", "Permissions": "0600"}},
        {"Name": "down", "Action": "ACS::VSphere::DownloadFile", "Properties": {**target, "ContentEncoding": "Base64"},
         "Outputs": {"content": {"Type": "String", "ValueSelector": ".Content"}}},
    ], parameters={"Blob": {"Type": "String"}}, outputs={"Content": {"Type": "String", "Value": "{{ down.content }}"}})
    execution = drive(start(tenant_a, operator_a, tpl, Blob=encoded), timeout=30)
    assert execution.status == "Success", execution.status_message
    assert base64.b64decode(execution.outputs["Content"]) == blob
    on_disk = guest_sim.guest_dir("DC0_H0_VM6") / "tmp/blob.bin"
    assert stat.S_IMODE(on_disk.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_each_guest_failure_is_a_readable_message(guest_sim, guest_vcenter, tenant_a, operator_a):
    names = [TOOLS_NOT_RUNNING, TOOLS_TOO_OLD, OPS_DISABLED, OTHER_LOGIN]
    tpl = template(tenant_a, [{"Name": "each", **run_command(VMNames=["{{ ACS::TaskLoopItem }}"],
                                                              CommandContent="true\n"),
                               "Loop": {"Items": names, "Concurrency": 4, "MaxErrors": 4}}])
    execution = drive(start(tenant_a, operator_a, tpl), timeout=30)
    messages = {te.loop_item: te.status_message for te in TaskExecution.objects.filter(
        execution=execution, parent_task_execution__isnull=False)}
    assert "VMware Tools is not running in the guest" in messages[TOOLS_NOT_RUNNING]
    assert "VMware Tools in the guest is too old" in messages[TOOLS_TOO_OLD]
    assert "guest operations are unavailable in this VM: they are disabled" in messages[OPS_DISABLED]
    assert "wrong guest credentials" in messages[OTHER_LOGIN]
    assert_secret_nowhere(execution)


@pytest.mark.django_db
def test_missing_file_and_bad_credential_shape(guest_sim, guest_vcenter, tenant_a, operator_a):
    tpl = template(tenant_a, [{"Name": "down", "Action": "ACS::VSphere::DownloadFile", "Properties": {
        "VMNames": ["DC0_H0_VM6"], "GuestCredential": "{{ Credential }}", "GuestPath": "/no/such/file"}}])
    execution = drive(start(tenant_a, operator_a, tpl, Credential=CREDENTIAL), timeout=30)
    assert "no such file or directory in the guest: '/no/such/file'" in execution.status_message
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=tpl, safety_check="Skip",
                                      parameters={"Credential": "root:" + LOGIN["Password"]}), timeout=30)
    assert 'the guest credential must be JSON {"User"' in execution.status_message
    assert LOGIN["Password"] not in execution.status_message


@pytest.mark.django_db
def test_builtin_disk_usage_runbook_is_risky_and_asks_for_confirmation(vcenter, tenant_a, operator_a):
    """The built-in runbook on the shared simulator (every guest accepts root:vmware there): RunCommand
    is listed as risky, needs vsphere:RunCommand, and waits for confirmation before it runs."""
    from orchestration.services.executions import notify_execution
    from templates_app.language import analysis as language_analysis
    from templates_app.models import Template
    from templates_app.services.analysis import parsed_version

    template = Template.objects.get(name="ACS-VSphere-CollectDiskUsage", tenant__isnull=True)
    parsed = parsed_version(template)
    risky = language_analysis.risky_tasks(parsed, lambda name, version: None, template.name)
    assert [(r["API"], r["Task"]) for r in risky] == [("RunCommand", ["collectDiskUsage"])]
    policy = language_analysis.execution_policy(parsed, lambda name, version: None, template.name)
    assert "vsphere:RunCommand" in {a for s in policy["Statement"] for a in s["Action"]}

    sync_vcenter(vcenter, tasks=False)
    execution = start_execution(tenant=tenant_a, user=operator_a, template=template, parameters={
        "NamePattern": "DC0_H0_VM*", "GuestCredential": json.dumps({"User": "root", "Password": "vmware"})})
    execution = drive(execution, timeout=30)
    assert execution.status == "Waiting" and execution.status_reason == "WaitingForApproval"
    notify_execution(execution, operator_a, "Approve", task_name="collectDiskUsage")
    execution = drive(execution, timeout=60)
    assert execution.status == "Success", execution.status_message
    usage = execution.outputs["diskUsage"]
    assert sorted(row["Name"] for row in usage) == ["DC0_H0_VM0", "DC0_H0_VM1"]
    assert all(row["ExitCode"] == 0 and row["Output"].startswith("Filesystem") for row in usage)


@pytest.mark.django_db
def test_a_secret_parameter_is_the_guest_credential_and_is_masked_wherever_it_shows(
        guest_sim, guest_vcenter, tenant_a, admin_a, operator_a):
    """The login comes from ``{{ oos-secret:… }}``; a script that prints the password has it
    masked in its output, its task's outputs and state, and every row the execution wrote."""
    parameter_service.create(tenant=tenant_a, actor=admin_a, name="guest-password", value=LOGIN["Password"],
                             secret=True)
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": [{
        "Name": "run", "Action": "ACS::VSphere::RunCommand",
        "Properties": {"GuestCredential": f"{{{{ oos-secret:{SECRET_LOGIN} }}}}", "CommandType": "RunShellScript",
                       "VMNames": ["DC0_H0_VM6", "DC0_H0_VM8"], "CommandContent": 'echo "the password is $PW"\n',
                       "EnvironmentVariables": {"PW": "{{ oos-secret:guest-password }}"}},
        "Outputs": {"said": {"Type": "String", "ValueSelector": ".Output"}}}],
        "Outputs": {"Said": {"Type": "String", "Value": "{{ run.said }}"}}}
    tpl = create_template(tenant=tenant_a, actor=SYSTEM, name="guest-secret", content=json.dumps(body))
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=tpl, safety_check="Skip"),
                      timeout=60)
    assert execution.status == "Success", execution.status_message  # the secret login worked
    run = TaskExecution.objects.get(execution=execution, task_name="run")
    assert [op["Output"] for op in run.extra["action"]["ops"]] == ["the password is ******\n"] * 2
    rows = [Execution.objects.filter(pk=execution.pk).values(), TaskExecution.objects.filter(execution=execution)
            .values(), ExecutionLog.objects.filter(execution=execution).values()]
    assert LOGIN["Password"] not in json.dumps([list(r) for r in rows], default=str)
