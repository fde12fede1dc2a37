"""Writing the audit trail: the one function every face, the console and the admin call.

Each face records at its single dispatch point, after the action ran (or failed), and
only for state-changing actions, so the trail reads "who did what, where, to what, and
did it work" without a line per page view. See :class:`orchestration.models.AuditEvent`.
"""
from __future__ import annotations

import ipaddress
import logging

from django.db import DatabaseError, transaction
from django.http import HttpRequest

from orchestration.authorization import actor_name
from orchestration.models import AuditEvent, AuditResult, Face, Tenant

logger = logging.getLogger(__name__)

def source_address(request: HttpRequest | None) -> str | None:
    """The caller's address as the server saw it (``REMOTE_ADDR``; behind a proxy, the proxy's)."""
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def tenant_id_of(obj) -> int | None:
    """The tenant an object belongs to, without a query; ``None`` for platform objects."""
    if isinstance(obj, Tenant):
        return obj.pk
    return getattr(obj, "tenant_id", None)


def record(
    *,
    face: str,
    action: str,
    ok: bool,
    request: HttpRequest | None = None,
    user=None,
    access_key_id: str = "",
    tenant_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    error_code: str = "",
    request_id: str = "",
) -> AuditEvent | None:
    """Append one event; a failure to write it is logged, never raised into the call it describes.

    The call has already happened (or failed) when this runs: refusing to answer it
    because the trail could not be written would hide its outcome from the caller
    without undoing it.
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    event = AuditEvent(
        face=face,
        action=action[:128],
        result=AuditResult.SUCCESS if ok else AuditResult.FAILURE,
        user=user,
        # An unauthenticated caller (a bad signature) has no name; the engine and commands are "system".
        actor=actor_name(user, access_key_id) if (user is not None or access_key_id or face == Face.SYSTEM) else "",
        access_key_id=access_key_id[:64],
        tenant_id=tenant_id,
        object_type=object_type[:64],
        object_id=str(object_id)[:255],
        error_code=("" if ok else error_code)[:128],
        source_address=source_address(request),
        request_id=request_id[:64],
    )
    try:
        with transaction.atomic():
            event.save()
    except DatabaseError:
        logger.exception("Could not write the audit event %s %s by %s", face, action, event.actor or "-")
        return None
    return event
