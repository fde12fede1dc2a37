"""vCenter lifecycle: register, test the connection, record sync outcomes."""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orchestration.errors import InvalidParameter
from orchestration.models import Region, Tenant
from vsphere.models import SyncStatus, VCenter

from . import connection
from .faults import VSphereError


@dataclass
class ConnectionCheck:
    ok: bool
    message: str
    version: str = ""
    api_version: str = ""
    instance_uuid: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"ok": self.ok, "message": self.message, "version": self.version,
                "api_version": self.api_version, "vsphere_uuid": self.instance_uuid,
                "seconds": round(self.seconds, 3)}


def check_connection(vcenter: VCenter, *, timeout: float = 8.0, record: bool = True) -> ConnectionCheck:
    """Log in with a fresh session, read ``about``, log out: the version, or why it failed.

    Uses its own short-timeout session (never the pooled one) so a stale pooled
    session cannot hide a credentials change. With ``record`` the outcome is written
    to the vCenter's status columns and a first successful check stores its uuid.
    """
    started = time.monotonic()
    try:
        si = connection.connect(vcenter, timeout=timeout)
    except VSphereError as exc:
        check = ConnectionCheck(False, exc.message, seconds=time.monotonic() - started)
    else:
        try:
            about = connection.content(si).about
            check = ConnectionCheck(True, f"connected: {about.fullName}", about.fullName, about.apiVersion,
                                    about.instanceUuid, time.monotonic() - started)
        finally:
            connection.logout(si)
    if record:
        record_check(vcenter, check)
    return check


def record_check(vcenter: VCenter, check: ConnectionCheck) -> None:
    fields = {"last_error": "" if check.ok else check.message}
    if check.ok:
        fields.update(version=check.version, api_version=check.api_version)
        if not vcenter.vsphere_uuid:
            fields["vsphere_uuid"] = check.instance_uuid
    else:
        fields["last_sync_status"] = SyncStatus.ERROR
    VCenter.objects.filter(pk=vcenter.pk).update(**fields)
    for name, value in fields.items():
        setattr(vcenter, name, value)


def record_sync(vcenter: VCenter, error: str = "") -> None:
    """Store the outcome of a sync on the vCenter row (only the status columns)."""
    fields = {
        "last_sync_at": timezone.now(),
        "last_sync_status": SyncStatus.ERROR if error else SyncStatus.OK,
        "last_error": error,
    }
    VCenter.objects.filter(pk=vcenter.pk).update(**fields)
    for name, value in fields.items():
        setattr(vcenter, name, value)


def register_vcenter(
    *,
    tenant: Tenant,
    name: str,
    host: str,
    port: int,
    user: str,
    password: str,
    region_id: str | None = None,
    protocol: str = "https",
    verify_tls: bool = True,
) -> VCenter:
    """Create a vCenter for ``tenant`` after a successful connection (which supplies its uuid).

    The region is created when new. A vCenter already registered (same instance
    uuid) is updated with the new settings and additionally allowed to ``tenant``.
    Raises :class:`VSphereError` if the vCenter cannot be reached or rejects the login.
    """
    if protocol not in ("http", "https"):
        raise InvalidParameter("protocol", "must be http or https")
    if not 1 <= int(port) <= 65535:
        raise InvalidParameter("port", "must be between 1 and 65535")
    if region_id:
        try:
            Region(id=region_id).clean_fields(exclude=["alias"])
        except ValidationError as exc:
            raise InvalidParameter("region", "; ".join(exc.messages))
    draft = VCenter(name=name, host=host, port=port, user=user, password=password, protocol=protocol,
                    verify_tls=verify_tls)
    check = check_connection(draft, record=False)
    if not check.ok:
        raise VSphereError(check.message)
    with transaction.atomic():
        region = None
        if region_id:
            region, _ = Region.objects.get_or_create(id=region_id)
        vcenter = VCenter.objects.filter(vsphere_uuid=check.instance_uuid).first() or draft
        for field in ("name", "host", "port", "user", "password", "protocol", "verify_tls"):
            setattr(vcenter, field, getattr(draft, field))
        vcenter.vsphere_uuid = check.instance_uuid
        vcenter.version, vcenter.api_version = check.version, check.api_version
        vcenter.last_error = ""
        if region is not None:
            vcenter.region = region
        vcenter.save()
        vcenter.tenants.add(tenant)
    return vcenter
