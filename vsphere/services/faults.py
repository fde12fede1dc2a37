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
        existing = getattr(exc, "existingState", None) or "in another power state"
        requested = getattr(exc, "requestedState", None)
        wanted = f" (the operation needs {requested})" if requested else ""
        return f"the VM is {existing}{wanted}"
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
