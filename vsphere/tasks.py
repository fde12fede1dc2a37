"""django-q2 entry points of the vSphere app (scheduled per vCenter; see services.schedules)."""
from __future__ import annotations

from vsphere.models import VCenter
from vsphere.services.sync import sync_vcenter


def sync_vcenter_tasks(vcenter_pk: int) -> dict:
    vcenter = VCenter.objects.filter(pk=vcenter_pk, sync_enabled=True).first()
    if vcenter is None:
        return {"skipped": "vCenter deleted or sync disabled"}
    return sync_vcenter(vcenter, inventory=False, tasks=True)


def sync_vcenter_inventory(vcenter_pk: int) -> dict:
    vcenter = VCenter.objects.filter(pk=vcenter_pk, sync_enabled=True).first()
    if vcenter is None:
        return {"skipped": "vCenter deleted or sync disabled"}
    return sync_vcenter(vcenter, inventory=True, tasks=False)
