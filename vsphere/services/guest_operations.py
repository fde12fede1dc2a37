"""Guest operations through VMware Tools (``GuestOperationsManager``): no agent and no
network path to the guest, only the vCenter.

Every call is one short round trip (nothing here waits for a guest program to end: the
engine polls :func:`process_state` on its wake-ups). Faults come out as
:class:`GuestError` with one readable sentence: Tools not running or too old, wrong
guest credentials, guest operations disabled, a missing file, a failed transfer.
The guest password is sent to the vCenter only and never appears in a message.
"""
from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
from pyVmomi import vim, vmodl

from vsphere.models import VCenter

from . import connection
from .faults import VSphereError, describe_fault

T = TypeVar("T")
TRANSFER_TIMEOUT_SECONDS = 60
_http = requests.Session()  # keep-alive to the transfer endpoint across calls of this process


class GuestError(VSphereError):
    """A guest operation failed; ``str(exc)`` says why in one sentence."""


@dataclass(frozen=True)
class GuestLogin:
    """A guest user and password (``NamePasswordAuthentication``)."""

    user: str
    password: str

    def __repr__(self) -> str:  # never print the password
        return f"GuestLogin(user={self.user!r}, password='******')"

    def auth(self) -> vim.vm.guest.NamePasswordAuthentication:
        return vim.vm.guest.NamePasswordAuthentication(username=self.user, password=self.password,
                                                       interactiveSession=False)


def parse_login(value: Any) -> GuestLogin:
    """A guest credential from ``{"User": …, "Password": …}`` (``Username`` is taken for
    ``User``) or its JSON text, what a secret parameter holds; raises GuestError without
    echoing the value."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise GuestError('the guest credential must be JSON {"User": …, "Password": …}') from None
    user = value.get("User", value.get("Username")) if isinstance(value, dict) else None
    if not isinstance(user, str) or not user or not isinstance(value.get("Password"), str):
        raise GuestError('the guest credential must be {"User": …, "Password": …} with a non-empty User')
    return GuestLogin(user, value["Password"])


@dataclass(frozen=True)
class ProcessState:
    """One guest process as ``ListProcessesInGuest`` reports it; ``exit_code`` is None while it runs."""

    pid: int
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    exit_code: int | None


@dataclass(frozen=True)
class _Managers:
    authManager: vim.vm.guest.AuthManager  # noqa: N815  (pyVmomi's names)
    fileManager: vim.vm.guest.FileManager  # noqa: N815
    processManager: vim.vm.guest.ProcessManager  # noqa: N815


_managers_of: dict[int, _Managers] = {}  # id(session) -> its guest managers


def _managers(si: vim.ServiceInstance) -> _Managers:
    """The session's guest managers, read once: each attribute of ``GuestOperationsManager``
    is a round trip in pyVmomi, and they never change within a session."""
    key = id(si)
    found = _managers_of.get(key)
    if found is None:
        gom = connection.content(si).guestOperationsManager
        found = _Managers(gom.authManager, gom.fileManager, gom.processManager)
        _managers_of[key] = found
        weakref.finalize(si, _managers_of.pop, key, None)
    return found


def _tools_running(si: vim.ServiceInstance, moref: str) -> bool:
    try:
        return vim.VirtualMachine(moref, si._stub).guest.toolsRunningStatus == "guestToolsRunning"
    except vmodl.MethodFault:
        return True


def _describe(si: vim.ServiceInstance, moref: str, exc: BaseException) -> str:
    """The readable reason of a guest-operation fault."""
    if isinstance(exc, vim.fault.InvalidGuestLogin):
        return "wrong guest credentials: the guest rejected the user name or password"
    if isinstance(exc, vim.fault.GuestComponentsOutOfDate):
        return "VMware Tools in the guest is too old for guest operations; upgrade VMware Tools"
    if isinstance(exc, vim.fault.GuestOperationsUnavailable | vim.fault.ToolsUnavailable):
        if not _tools_running(si, moref):
            return "VMware Tools is not running in the guest, so guest operations are unavailable"
        return ("guest operations are unavailable in this VM: they are disabled (guest.commands.enabled) "
                "or the Tools service is not ready")
    if isinstance(exc, vim.fault.GuestPermissionDenied):
        return "the guest user is not allowed to do this in the guest"
    if isinstance(exc, vim.fault.GuestProcessNotFound):
        return f"the guest process {getattr(exc, 'pid', '')} no longer exists"
    if isinstance(exc, vim.fault.FileAlreadyExists):
        return f"the guest file {getattr(exc, 'file', '')!r} already exists (set Overwrite to replace it)"
    if isinstance(exc, vim.fault.FileNotFound):
        return f"no such file or directory in the guest: {getattr(exc, 'file', '')!r}"
    return describe_fault(exc)


def _call(vcenter: VCenter, moref: str, what: str, work: Callable[[vim.ServiceInstance, vim.VirtualMachine], T]) -> T:
    def run(si):
        try:
            return work(si, vim.VirtualMachine(moref, si._stub))
        except vim.fault.NotAuthenticated:
            raise
        except (vmodl.MethodFault, vim.fault.VimFault) as exc:
            raise GuestError(f"{what}: {_describe(si, moref, exc)}", fault=exc) from exc

    return connection.call(vcenter, run)


def validate_login(vcenter: VCenter, moref: str, login: GuestLogin) -> None:
    _call(vcenter, moref, "checking the guest login",
          lambda si, vm: _managers(si).authManager.ValidateCredentialsInGuest(vm, login.auth()))


def create_temp_file(vcenter: VCenter, moref: str, login: GuestLogin, prefix: str, suffix: str) -> str:
    return _call(vcenter, moref, "creating a temporary file in the guest",
                 lambda si, vm: _managers(si).fileManager.CreateTemporaryFileInGuest(vm, login.auth(), prefix, suffix))


def delete_file(vcenter: VCenter, moref: str, login: GuestLogin, path: str) -> None:
    _call(vcenter, moref, f"deleting {path}",
          lambda si, vm: _managers(si).fileManager.DeleteFileInGuest(vm, login.auth(), path))


def start_program(vcenter: VCenter, moref: str, login: GuestLogin, program: str, arguments: str, *,
                  working_dir: str = "", env: dict[str, str] | None = None) -> int:
    """Start ``program arguments`` in the guest; returns its pid at once."""
    spec = vim.vm.guest.ProcessManager.ProgramSpec(
        programPath=program, arguments=arguments, workingDirectory=working_dir or None,
        envVariables=[f"{k}={v}" for k, v in (env or {}).items()] or None)
    return int(_call(vcenter, moref, "starting the command in the guest",
                     lambda si, vm: _managers(si).processManager.StartProgramInGuest(vm, login.auth(), spec)))


def process_state(vcenter: VCenter, moref: str, login: GuestLogin, pid: int) -> ProcessState:
    """One ``ListProcessesInGuest`` for ``pid``; never waits."""
    found = _call(vcenter, moref, "reading the guest process",
                  lambda si, vm: _managers(si).processManager.ListProcessesInGuest(vm, login.auth(), [pid]))
    for info in found or []:
        if int(info.pid) == pid:
            ended = info.endTime is not None
            return ProcessState(pid, info.startTime, info.endTime, int(info.exitCode or 0) if ended else None)
    raise GuestError(f"the guest no longer knows process {pid}")


def terminate(vcenter: VCenter, moref: str, login: GuestLogin, pid: int) -> None:
    _call(vcenter, moref, f"terminating guest process {pid}",
          lambda si, vm: _managers(si).processManager.TerminateProcessInGuest(vm, login.auth(), pid))


def _transfer_url(vcenter: VCenter, url: str) -> str:
    """vSphere answers ``https://*/guestFile?…``: the client puts in the host it connected to."""
    parts = urlsplit(url)
    if parts.hostname in ("*", None, ""):
        port = f":{parts.port}" if parts.port else ""
        parts = parts._replace(netloc=f"{vcenter.host}{port}")
    return urlunsplit(parts)


def _verify(vcenter: VCenter) -> bool:
    return vcenter.protocol == "https" and vcenter.verify_tls


def upload(vcenter: VCenter, moref: str, login: GuestLogin, path: str, data: bytes, *,
           overwrite: bool = True, permissions: int | None = None) -> None:
    """Write ``data`` to ``path`` in the guest (POSIX permissions where the guest has them)."""
    attributes = (vim.vm.guest.FileManager.PosixFileAttributes(permissions=permissions)
                  if permissions is not None else vim.vm.guest.FileManager.FileAttributes())
    url = _call(vcenter, moref, f"uploading {path}",
                lambda si, vm: _managers(si).fileManager.InitiateFileTransferToGuest(
                    vm, login.auth(), path, attributes, len(data), overwrite))
    try:
        response = _http.put(_transfer_url(vcenter, url), data=data, verify=_verify(vcenter),
                                timeout=TRANSFER_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise GuestError(f"uploading {path}: the file transfer failed ({type(exc).__name__})") from exc
    if response.status_code >= 300:
        raise GuestError(f"uploading {path}: the file transfer failed (HTTP {response.status_code})")


@dataclass(frozen=True)
class Downloaded:
    data: bytes
    size: int  # the file's full size in the guest
    truncated: bool


def download(vcenter: VCenter, moref: str, login: GuestLogin, path: str, *, limit: int) -> Downloaded:
    """Read at most ``limit`` bytes of ``path`` from the guest."""
    info = _call(vcenter, moref, f"downloading {path}",
                 lambda si, vm: _managers(si).fileManager.InitiateFileTransferFromGuest(vm, login.auth(), path))
    try:
        with _http.get(_transfer_url(vcenter, info.url), stream=True, verify=_verify(vcenter),
                          timeout=TRANSFER_TIMEOUT_SECONDS) as response:
            if response.status_code >= 300:
                raise GuestError(f"downloading {path}: the file transfer failed (HTTP {response.status_code})")
            data = response.raw.read(limit + 1, decode_content=True)
    except requests.RequestException as exc:
        raise GuestError(f"downloading {path}: the file transfer failed ({type(exc).__name__})") from exc
    return Downloaded(data[:limit], max(int(info.size or 0), len(data)), len(data) > limit)
