"""Guest actions through VMware Tools: ``ACS::VSphere::RunCommand`` (a script in each
selected VM, polled without blocking a worker) and the shared base of the file actions.

The guest credential is an ordinary property (``GuestCredential``: ``{"User", "Password"}``
or its JSON text, normally ``{{ oos-secret:Name }}``); it is sent to the vCenter only,
never put in a log line, an output or an error message.

Each run of a command in one VM: check the login, create a temporary script file, upload
the script, start it with its standard output and error redirected to two guest files,
then poll ``ListProcessesInGuest`` on engine wake-ups. When it ends, both files are read
back (up to :data:`OUTPUT_LIMIT_BYTES` each, with a ``…Truncated`` flag) and the three
files are deleted. ``Timeout`` and a cancel of the execution terminate the guest process.
"""
from __future__ import annotations

import datetime as dt
import shlex
from typing import Any

from orchestration.actions.registry import register
from orchestration.engine import results
from vsphere.models import VCenter
from vsphere.services import guest_operations as guest
from vsphere.services.faults import VSphereError

from .base import VSphereAction, vm_schema

OUTPUT_LIMIT_BYTES = 24 * 1024  # per stream and VM, as Alibaba's RunCommand keeps 24 KB
SCRIPT_LIMIT_BYTES = 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 600

CREDENTIAL_PROPERTY: dict[str, Any] = {
    "type": ["object", "string"], "writeOnly": True,
    "description": 'Guest login {"User": …, "Password": …} (or its JSON text), e.g. {{ oos-secret:LinuxRoot }}. '
                   "Secret: never logged or shown.",
}

_CMD = r"C:\Windows\System32\cmd.exe"


def _shell(script: str, out: str, err: str) -> tuple[str, str]:
    q = shlex.quote
    return "/bin/sh", f"{q(script)} > {q(out)} 2> {q(err)}"


def _powershell(script: str, out: str, err: str) -> tuple[str, str]:
    return _CMD, (f'/c powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{script}" '
                  f'> "{out}" 2> "{err}"')


def _bat(script: str, out: str, err: str) -> tuple[str, str]:
    return _CMD, f'/c ""{script}" > "{out}" 2> "{err}""'


# CommandType -> (script suffix, how to start it with its output redirected)
COMMAND_TYPES = {
    "RunShellScript": (".sh", _shell),
    "RunPowerShellScript": (".ps1", _powershell),
    "RunBatScript": (".bat", _bat),
}


class GuestAction(VSphereAction):
    """Base of the guest actions: the login from ``GuestCredential``, one VM at a time."""

    def login(self, ctx) -> guest.GuestLogin:
        return guest.parse_login(ctx.properties.get("GuestCredential"))

    @staticmethod
    def vcenter_of(op: dict[str, Any]) -> VCenter:
        vcenter = VCenter.objects.filter(pk=op["VCenterPk"]).first()
        if vcenter is None:
            raise VSphereError("the VM's vCenter is no longer registered")
        return vcenter

    @classmethod
    def call_seconds(cls, properties: dict[str, Any]) -> float:
        return 120.0  # a few guest round trips per selected VM


@register
class RunCommand(GuestAction):
    name = "ACS::VSphere::RunCommand"
    description = ("Runs a shell, PowerShell or batch script in each selected VM through VMware Tools and "
                   "returns each VM's exit code, output and error output (24 KB each). A non-zero exit "
                   "code fails the try.")
    api = "RunCommand"
    risk = "High"  # anything can happen inside the guest
    permissions = ("vsphere:RunCommand",)
    popularity = 88
    properties_schema = vm_schema({
        "CommandType": {"type": "string", "enum": list(COMMAND_TYPES), "default": "RunShellScript"},
        "CommandContent": {"type": "string", "minLength": 1, "maxLength": SCRIPT_LIMIT_BYTES,
                           "description": "The script (at most 64 KB)."},
        "WorkingDir": {"type": "string", "description": "Directory the script runs in (default: the guest's)."},
        "Timeout": {"type": "integer", "minimum": 1, "maximum": 86400, "default": DEFAULT_TIMEOUT_SECONDS,
                    "description": "Seconds; after this the guest process is terminated and the try fails."},
        "EnvironmentVariables": {"type": "object", "additionalProperties": {"type": "string"},
                                 "description": "Extra environment variables of the script."},
        "GuestCredential": CREDENTIAL_PROPERTY,
    }, required=("CommandContent", "GuestCredential"))

    def start(self, ctx):
        try:
            login = self.login(ctx)
            vms = self.targets(ctx)
        except VSphereError as exc:
            return results.Failed(str(exc), retryable=False)
        if not vms:
            return results.Failed("No VM in the synced inventory matches the selection.", retryable=False)
        ctx.state["ops"] = [self.launch(ctx, vm, login) for vm in vms]
        ctx.state["polls"] = 0
        running = [op for op in ctx.state["ops"] if op["State"] == "running"]
        ctx.log(f"RunCommand started in {len(running)} of {len(vms)} VM(s): "
                + ", ".join(f"{op['Name']} (pid {op['Pid']})" for op in running) + ".")
        return self.poll(ctx) if running else self.outcome(ctx)

    def launch(self, ctx, vm, login: guest.GuestLogin) -> dict[str, Any]:
        """Upload the script to one VM and start it; the op records what to poll and clean."""
        props = ctx.properties
        suffix, starter = COMMAND_TYPES[props.get("CommandType") or "RunShellScript"]
        op: dict[str, Any] = {"VMId": vm.moref, "Name": vm.name, "VCenterId": vm.vcenter.vsphere_uuid,
                              "VCenterPk": vm.vcenter.pk, "State": "running", "Files": []}
        try:
            guest.validate_login(vm.vcenter, vm.moref, login)
            script = guest.create_temp_file(vm.vcenter, vm.moref, login, "oos-", suffix)
            op["Files"] = [script, script + ".out", script + ".err"]
            guest.upload(vm.vcenter, vm.moref, login, script, props["CommandContent"].encode(), permissions=0o700)
            program, arguments = starter(script, script + ".out", script + ".err")
            op["Pid"] = guest.start_program(vm.vcenter, vm.moref, login, program, arguments,
                                            working_dir=props.get("WorkingDir") or "",
                                            env=props.get("EnvironmentVariables") or {})
        except VSphereError as exc:
            op.update(State="error", Error=str(exc))
            self.clean_up(ctx, op, login, vm.vcenter)
            return op
        timeout = int(props.get("Timeout") or DEFAULT_TIMEOUT_SECONDS)
        op["Deadline"] = (ctx.now + dt.timedelta(seconds=timeout)).isoformat()
        return op

    def poll(self, ctx):
        try:
            login = self.login(ctx)
        except VSphereError as exc:
            return results.Failed(str(exc), retryable=False)
        for op in ctx.state.get("ops", []):
            if op["State"] == "running":
                self.look(ctx, op, login)
        if any(op["State"] == "running" for op in ctx.state.get("ops", [])):
            ctx.state["polls"] = ctx.state.get("polls", 0) + 1
            delay = min(3.0, 0.1 * 2 ** ctx.state["polls"])  # 0.2, 0.4, 0.8 … s: quick commands end early
            return results.Wait(until=ctx.now + dt.timedelta(seconds=delay), reason=self.progress_text(ctx))
        return self.outcome(ctx)

    def look(self, ctx, op: dict[str, Any], login: guest.GuestLogin) -> None:
        """One look at one VM's process: still running, timed out, or ended (then read and clean)."""
        try:
            vcenter = self.vcenter_of(op)
            state = guest.process_state(vcenter, op["VMId"], login, op["Pid"])
        except guest.GuestError as exc:
            op.update(State="error", Error=str(exc))
            self.clean_up(ctx, op, login)
            return
        except VSphereError as exc:  # the vCenter, not the guest: look again for a while
            self.unreachable(ctx, op, str(exc))
            return
        op.pop("UnreachableSince", None)
        op["StartTime"] = state.start_time.isoformat() if state.start_time else None
        if state.exit_code is None:
            if ctx.now >= dt.datetime.fromisoformat(op["Deadline"]):
                self.stop(ctx, op, login, vcenter)
                limit = ctx.properties.get("Timeout") or DEFAULT_TIMEOUT_SECONDS
                op.update(State="error", Error=f"timed out after {limit} s; the guest process was terminated")
                self.clean_up(ctx, op, login, vcenter)
            return
        op.update(EndTime=state.end_time.isoformat() if state.end_time else None, ExitCode=state.exit_code)
        if state.start_time and state.end_time:
            op["DurationSeconds"] = round((state.end_time - state.start_time).total_seconds(), 3)
        self.collect(op, login, vcenter)
        if state.exit_code == 0:
            op["State"] = "success"
        else:
            last = (op.get("StdErr") or "").strip().splitlines()[-1:] or [""]
            op.update(State="error", Error=f"exit code {state.exit_code}" + (f": {last[0][:200]}" if last[0] else ""))
        self.clean_up(ctx, op, login, vcenter)

    def collect(self, op: dict[str, Any], login: guest.GuestLogin, vcenter: VCenter) -> None:
        """Read the redirected standard output and error back (each up to the limit)."""
        for key, path in (("Output", op["Files"][1]), ("StdErr", op["Files"][2])):
            try:
                got = guest.download(vcenter, op["VMId"], login, path, limit=OUTPUT_LIMIT_BYTES)
            except VSphereError as exc:
                op[key], op[f"{key}Truncated"] = "", False
                op.setdefault("Warnings", []).append(f"{key}: {exc}")
                continue
            op[key], op[f"{key}Truncated"] = got.data.decode("utf-8", errors="replace"), got.truncated

    def stop(self, ctx, op: dict[str, Any], login: guest.GuestLogin, vcenter: VCenter) -> None:
        try:
            guest.terminate(vcenter, op["VMId"], login, op["Pid"])
            ctx.log(f"{op['Name']}: guest process {op['Pid']} terminated.")
        except VSphereError as exc:
            ctx.log(f"{op['Name']}: guest process {op['Pid']} not terminated ({exc}).")

    def clean_up(self, ctx, op: dict[str, Any], login: guest.GuestLogin, vcenter: VCenter | None = None) -> None:
        """Delete the script and output files; a file that is already gone is not an error."""
        files, op["Files"] = op.get("Files") or [], []
        for path in files:
            try:
                guest.delete_file(vcenter or self.vcenter_of(op), op["VMId"], login, path)
            except VSphereError as exc:
                if "no such file" not in str(exc):
                    ctx.log(f"{op['Name']}: could not delete {path} ({exc}).")

    def cancel(self, ctx):
        login = self.login(ctx)
        for op in ctx.state.get("ops", []):
            if op["State"] == "running" and op.get("Pid"):
                vcenter = self.vcenter_of(op)
                self.stop(ctx, op, login, vcenter)
                op.update(State="error", Error="cancelled; the guest process was terminated")
                self.clean_up(ctx, op, login, vcenter)

    def outcome(self, ctx):
        ops = ctx.state.get("ops", [])
        rows = [invocation_result(op) for op in ops]
        failed = [op for op in ops if op["State"] == "error"]
        if failed:
            reasons = "; ".join(f"{op['Name']} ({op['VMId']}): {op.get('Error', 'failed')}" for op in failed)
            return results.Failed(f"{len(failed)} of {len(ops)} VM(s) failed: {reasons}")
        out: dict[str, Any] = {"InvocationResults": rows}
        if len(rows) == 1:  # one VM (e.g. one Loop item): its fields at the top, for simple jq
            out.update(rows[0])
        return results.Done(out)


RESULT_KEYS = ("VMId", "Name", "VCenterId", "State", "ExitCode", "Output", "OutputTruncated", "StdErr",
               "StdErrTruncated", "StartTime", "EndTime", "DurationSeconds", "Error")


def invocation_result(op: dict[str, Any]) -> dict[str, Any]:
    """One VM's result as the outputs (and the console) show it."""
    return {k: op.get(k) for k in RESULT_KEYS}


def results_of(task_action: str, extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-VM results a RunCommand task execution holds (its action state), for display."""
    if task_action != RunCommand.name:
        return []
    return [invocation_result(op) for op in (extra.get("action") or {}).get("ops", [])]
