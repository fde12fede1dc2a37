"""One pyVmomi session per worker process and vCenter, reused across calls.

Sessions are keyed by the vCenter's primary key and a hash of its connection settings,
so editing the password or host opens a fresh session on next use. A call that meets
``NotAuthenticated`` (idle sessions expire after ~30 min) logs in again once and
retries. Every socket has a timeout, and sessions are logged out when the process exits.
"""
from __future__ import annotations

import atexit
import hashlib
import http.client
import logging
import ssl
import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from vsphere.models import VCenter

from .faults import VSphereError, describe_fault

logger = logging.getLogger(__name__)

T = TypeVar("T")

_pool: dict[tuple[int, str], vim.ServiceInstance] = {}
_lock = threading.Lock()
_contents: dict[int, vim.ServiceInstanceContent] = {}  # id(session) -> its ServiceContent


def _timeout() -> float:
    return float(getattr(settings, "VSPHERE_TIMEOUT_SECONDS", 20))


def settings_hash(vcenter: VCenter) -> str:
    raw = "\0".join([vcenter.protocol, vcenter.host, str(vcenter.port), vcenter.user, vcenter.password,
                     str(vcenter.verify_tls)])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def connect(vcenter: VCenter, *, timeout: float | None = None) -> vim.ServiceInstance:
    """A new, unpooled session; raises :class:`VSphereError` with the precise reason.

    The password is sent only to the endpoint it was entered for: a row whose host,
    port, protocol or user moved without a new password is refused before any socket opens.
    """
    if not vcenter.password_fits_endpoint():
        raise VSphereError("the stored password was entered for another host, port, protocol or user; "
                           "platform staff must enter the password again for this endpoint")
    timeout = timeout or _timeout()
    kwargs = {}
    if vcenter.protocol == "https":
        context = ssl.create_default_context()
        if not vcenter.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        kwargs["sslContext"] = context
    else:
        kwargs["disableSslCertValidation"] = True
    try:
        return SmartConnect(
            protocol=vcenter.protocol, host=vcenter.host, port=vcenter.port,
            user=vcenter.user, pwd=vcenter.password,
            httpConnectionTimeout=timeout, connectionPoolTimeout=-1, **kwargs,
        )
    except Exception as exc:  # every failure becomes one readable reason
        raise VSphereError(describe_fault(exc), fault=exc) from exc


def logout(si: vim.ServiceInstance) -> None:
    try:
        Disconnect(si)
    except Exception:  # the session may already be gone; logging out is best effort
        logger.debug("logout failed", exc_info=True)


def service_instance(vcenter: VCenter) -> vim.ServiceInstance:
    """The pooled session of this process for ``vcenter``, logging in if there is none."""
    key = (vcenter.pk, settings_hash(vcenter))
    with _lock:
        si = _pool.get(key)
    if si is not None:
        return si
    si = connect(vcenter)
    with _lock:
        stale = [k for k in _pool if k[0] == vcenter.pk and k != key]
        for k in stale:
            logout(_pool.pop(k))
        existing = _pool.get(key)
        if existing is not None:  # another thread won the race
            logout(si)
            return existing
        _pool[key] = si
    return si


def content(si: vim.ServiceInstance) -> vim.ServiceInstanceContent:
    """The session's ``ServiceContent``, read once.

    pyVmomi's ``si.content`` asks the server again on every access (a round trip each);
    the content (managers, about) never changes within a session, so it is kept as long
    as the session object lives (pyVmomi's managed objects refuse new attributes).
    """
    key = id(si)
    found = _contents.get(key)
    if found is None:
        found = si.content
        _contents[key] = found
        weakref.finalize(si, _contents.pop, key, None)
    return found


def drop(vcenter: VCenter) -> None:
    """Forget (and log out) this process's session of ``vcenter``."""
    with _lock:
        keys = [k for k in _pool if k[0] == vcenter.pk]
        sessions = [_pool.pop(k) for k in keys]
    for si in sessions:
        logout(si)


def call(vcenter: VCenter, work: Callable[[vim.ServiceInstance], T]) -> T:
    """Run ``work(si)`` on the pooled session; on an expired session, log in again once.

    Connection problems and faults come out as :class:`VSphereError` with a readable
    message; the pooled session is dropped on connection errors so the next call reconnects.
    """
    for attempt in (1, 2):
        si = service_instance(vcenter)
        try:
            return work(si)
        except vim.fault.NotAuthenticated as exc:
            drop(vcenter)
            if attempt == 2:
                raise VSphereError(describe_fault(exc), fault=exc) from exc
            logger.info("vCenter %s session expired; logging in again", vcenter.pk)
        except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
            drop(vcenter)
            raise VSphereError(describe_fault(exc), fault=exc) from exc
    raise AssertionError("unreachable")


@atexit.register
def close_all() -> None:
    """Log out every pooled session (process exit)."""
    with _lock:
        sessions = list(_pool.values())
        _pool.clear()
    for si in sessions:
        logout(si)
