"""vCenter lifecycle: register, change, grant to tenants, test the connection, record sync outcomes.

vCenters and their service accounts belong to the platform: these workflows are called
by platform staff (admin, native API, management commands), never on a tenant's behalf.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orchestration.errors import Conflict, InvalidParameter
from orchestration.models import Region, Tenant
from vsphere.models import ENDPOINT_FIELDS, SyncStatus, VCenter

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
    """Write a check's outcome to the row; a first success stores the instance uuid.

    If that uuid already belongs to another row, this row points at a vCenter that is
    registered already: the check fails with the existing vCenter's name instead.
    """
    if check.ok and not vcenter.vsphere_uuid:
        existing = VCenter.objects.filter(vsphere_uuid=check.instance_uuid).exclude(pk=vcenter.pk).first()
        if existing is not None:
            check.ok, check.message = False, already_registered_message(existing)
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


def already_registered_message(existing: VCenter) -> str:
    return (f"this vCenter is already registered as {existing.name!r} (id {existing.pk}, vsphere_uuid "
            f"{existing.vsphere_uuid}); grant it to another tenant instead (grantvcenter)")


def check_endpoint_change(vcenter: VCenter, changes: dict, *, password_entered: bool) -> None:
    """Refuse a change of host, port, protocol or user that comes without the password.

    The stored password was entered for the current endpoint; sending it anywhere else
    would hand the platform's service account to whoever runs the new endpoint. So
    moving the endpoint needs the password again, in the same change.
    """
    moved = [name for name in ENDPOINT_FIELDS if name in changes and changes[name] != getattr(vcenter, name)]
    if vcenter.pk and moved and not password_entered:
        raise InvalidParameter("password", f"required again when changing {', '.join(moved)}: the stored "
                                           "password is only ever sent to the endpoint it was entered for")


def _check_settings(*, protocol: str, port: int, region_id: str | None) -> None:
    if protocol not in ("http", "https"):
        raise InvalidParameter("protocol", "must be http or https")
    if not 1 <= int(port) <= 65535:
        raise InvalidParameter("port", "must be between 1 and 65535")
    if region_id:
        try:
            Region(id=region_id).clean_fields(exclude=["alias"])
        except ValidationError as exc:
            raise InvalidParameter("region", "; ".join(exc.messages))


@transaction.atomic
def save_vcenter(vcenter: VCenter, changes: dict, *, tenants: list[Tenant] | None = None) -> VCenter:
    """Create or change a vCenter (platform staff): settings, password and grants together.

    ``changes`` holds model fields; a ``password`` in it counts as entered for the
    resulting endpoint. ``tenants``, when given, replaces the grants.
    """
    changes = dict(changes)
    password = changes.pop("password", None) or None
    check_endpoint_change(vcenter, changes, password_entered=password is not None)
    if vcenter.pk is None and password is None:
        raise InvalidParameter("password", "required for a new vCenter")
    for name, value in changes.items():
        setattr(vcenter, name, value)
    if password is not None:
        vcenter.set_password(password)
    vcenter.save()
    if tenants is not None:
        vcenter.tenants.set(tenants)
    return vcenter


def grant_vcenter(vcenter: VCenter, tenant: Tenant) -> bool:
    """Grant ``vcenter`` to ``tenant``: its members then see it and run actions on its VMs.

    Returns whether the grant is new.
    """
    if vcenter.tenants.filter(pk=tenant.pk).exists():
        return False
    vcenter.tenants.add(tenant)
    return True


def revoke_vcenter(vcenter: VCenter, tenant: Tenant) -> bool:
    """Withdraw ``tenant``'s grant; its inventory and tasks disappear from that tenant's view.

    Returns whether there was a grant to withdraw.
    """
    if not vcenter.tenants.filter(pk=tenant.pk).exists():
        return False
    vcenter.tenants.remove(tenant)
    return True


def grants_summary(vcenter: VCenter) -> dict:
    """What the vCenter commands print: the vCenter's uuid, name and the CompanyIDs it is granted to."""
    return {"vsphere_uuid": vcenter.vsphere_uuid, "name": vcenter.name,
            "tenants": sorted(vcenter.tenants.values_list("pk", flat=True))}


def register_vcenter(
    *,
    name: str,
    host: str,
    port: int,
    user: str,
    password: str,
    tenant: Tenant | None = None,
    region_id: str | None = None,
    protocol: str = "https",
    verify_tls: bool = True,
) -> VCenter:
    """Register a new vCenter after a successful connection (which supplies its uuid).

    Optionally granted to ``tenant`` at once; the region is created when new. A vCenter
    that is already registered (same instance uuid) is refused with a :class:`Conflict`
    naming it: its settings are never rewritten by a second registration, and granting
    it to another tenant is the explicit :func:`grant_vcenter`.
    Raises :class:`VSphereError` if the vCenter cannot be reached or rejects the login.
    """
    _check_settings(protocol=protocol, port=port, region_id=region_id)
    draft = VCenter(name=name, host=host, port=port, user=user, protocol=protocol, verify_tls=verify_tls)
    draft.set_password(password)
    check = check_connection(draft, record=False)
    if not check.ok:
        raise VSphereError(check.message)
    with transaction.atomic():
        existing = VCenter.objects.filter(vsphere_uuid=check.instance_uuid).first()
        if existing is not None:
            raise Conflict(already_registered_message(existing), code="VCenterAlreadyRegistered")
        if region_id:
            draft.region, _ = Region.objects.get_or_create(id=region_id)
        draft.vsphere_uuid = check.instance_uuid
        draft.version, draft.api_version = check.version, check.api_version
        draft.save()
        if tenant is not None:
            draft.tenants.add(tenant)
    return draft
