"""vSphere faults and connection errors as one clear English sentence each.

Callers store these in ``VCenter.last_error`` and task-execution errors, so an operator
reads "login rejected: wrong user name or password", not a SOAP dump.
"""
from __future__ import annotations

import socket
import ssl

from pyVmomi import vim, vmodl


class VSphereError(Exception):
    """A failed vSphere call, carrying the readable reason in ``str(exc)``."""

    def __init__(self, message: str, *, fault: BaseException | None = None):
        super().__init__(message)
        self.message = message
        self.fault = fault


def _name(obj) -> str:
    moid = getattr(obj, "_moId", None)
    return moid or str(obj)


POWER_WORDS = {"poweredOn": "powered on", "poweredOff": "powered off", "suspended": "suspended"}


def _power_state_sentence(existing: str | None, requested: str | None) -> str:
    """vSphere's InvalidPowerState names the state the VM is in and the one the operation asked
    for: equal means there is nothing to do ("already powered on"), else say what it needs."""
    is_now = POWER_WORDS.get(str(existing), str(existing)) if existing else None
    wanted = POWER_WORDS.get(str(requested), str(requested)) if requested else None
    if is_now is None:
        return f"the VM is not {wanted}" if wanted else "the VM is in another power state"
    if wanted is None:
        return f"the VM is {is_now}"
    if is_now == wanted:
        return f"the VM is already {is_now}"
    return f"the VM is {is_now}; the operation needs it {wanted}"


def describe_fault(exc: BaseException) -> str:
    """One sentence for any exception raised while talking to a vCenter."""
    if isinstance(exc, VSphereError):
        return exc.message
    if isinstance(exc, vim.fault.InvalidLogin):
        return "login rejected: wrong user name or password"
    if isinstance(exc, vim.fault.NotAuthenticated):
        return "the vCenter session is not authenticated (expired or logged out)"
    if isinstance(exc, vim.fault.NoPermission):
        privilege = getattr(exc, "privilegeId", "") or "a privilege"
        return f"permission denied: the vCenter user lacks {privilege} on {_name(getattr(exc, 'object', ''))}"
    if isinstance(exc, vim.fault.InvalidPowerState):
        return _power_state_sentence(getattr(exc, "existingState", None), getattr(exc, "requestedState", None))
    if isinstance(exc, vim.fault.ToolsUnavailable):
        return "VMware Tools is not running in the guest, so the guest cannot be shut down or rebooted"
    if isinstance(exc, vim.fault.TaskInProgress):
        return "another task is already running on this object; retry when it finishes"
    if isinstance(exc, vim.fault.DuplicateName):
        return f"an object named {getattr(exc, 'name', '')!r} already exists there"
    if isinstance(exc, vim.fault.InvalidName):
        return f"invalid name {getattr(exc, 'name', '')!r}"
    if isinstance(exc, vim.fault.NotFound):
        return "not found: " + (exc.msg or "the object does not exist")
    if isinstance(exc, vmodl.fault.ManagedObjectNotFound):
        return f"the object {_name(getattr(exc, 'obj', ''))} no longer exists in the vCenter"
    if isinstance(exc, vim.fault.InsufficientResourcesFault):
        return "insufficient resources: " + (exc.msg or "the host or cluster cannot satisfy the request")
    if isinstance(exc, vim.fault.FileFault):
        return f"datastore file error on {getattr(exc, 'file', '')!r}: " + (exc.msg or type(exc).__name__)
    if isinstance(exc, vim.fault.InvalidState):
        return "the object is in a state that does not allow this operation" + (f": {exc.msg}" if exc.msg else "")
    if isinstance(exc, vmodl.fault.NotSupported | vim.fault.NotSupportedHost):
        return "the vCenter does not support this operation" + (f": {exc.msg}" if exc.msg else "")
    if isinstance(exc, vmodl.fault.MethodNotFound):
        return f"the vCenter does not implement {getattr(exc, 'method', '') or 'this method'}"
    if isinstance(exc, vmodl.fault.InvalidArgument):
        prop = getattr(exc, "invalidProperty", "")
        return "invalid argument" + (f" {prop}" if prop else "") + (f": {exc.msg}" if exc.msg else "")
    if isinstance(exc, vmodl.fault.RequestCanceled):
        return "the task was cancelled"
    if isinstance(exc, vmodl.MethodFault):
        return exc.msg or type(exc).__name__.rsplit(".", 1)[-1]
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS certificate verification failed ({exc.verify_message}); "
                "fix the certificate or turn off TLS verification for this vCenter")
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed: {exc.reason or exc} (is the protocol right?)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused: nothing listens on that host and port"
    if isinstance(exc, socket.gaierror):
        return f"host name cannot be resolved: {exc.strerror}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out waiting for the vCenter"
    if isinstance(exc, ConnectionError | OSError):
        return f"cannot reach the vCenter: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


def localized_fault_message(error) -> str:
    """The message of a TaskInfo ``error`` (a LocalizedMethodFault)."""
    if error is None:
        return ""
    fault = getattr(error, "fault", error)  # pyVmomi hands over the MethodFault itself
    if fault is not None:
        described = describe_fault(fault)
        if described and described != type(fault).__name__.rsplit(".", 1)[-1]:
            return described
    return getattr(error, "localizedMessage", "") or getattr(fault, "msg", "") or type(fault).__name__
