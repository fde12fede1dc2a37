"""One sync run of a vCenter (inventory and/or tasks and events), recording the outcome on its row.

A vCenter that is down or rejects the login gets the reason in ``last_error`` and
``last_sync_status = error``; nothing is raised, so a scheduler looping over many
vCenters is never stopped by one of them.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict

from django.utils import timezone

from vsphere.models import VCenter

from . import vcenters
from .event_sync import sync_events
from .faults import VSphereError, describe_fault
from .inventory_sync import sync_inventory
from .task_sync import sync_tasks

logger = logging.getLogger(__name__)


def sync_vcenter(vcenter: VCenter, *, inventory: bool = True, tasks: bool = True) -> dict:
    """Run the requested syncs now; returns a JSON-able summary with ``ok`` and ``error``."""
    summary: dict = {"vsphere_uuid": vcenter.vsphere_uuid, "ok": True, "error": ""}
    try:
        if inventory:
            summary["inventory"] = asdict(sync_inventory(vcenter))
            VCenter.objects.filter(pk=vcenter.pk).update(last_inventory_sync_at=timezone.now())
        if tasks:
            summary["tasks"] = asdict(sync_tasks(vcenter))
            summary["events"] = asdict(sync_events(vcenter))
    except VSphereError as exc:
        summary.update(ok=False, error=exc.message)
    except Exception as exc:  # a bug or an unexpected fault: record it, never break the caller
        logger.exception("sync of vCenter %s failed", vcenter.pk)
        summary.update(ok=False, error=describe_fault(exc))
    vcenters.record_sync(vcenter, summary["error"])
    return summary


def sync_states() -> list[tuple[str, str, dt.datetime | None, str]]:
    """(name, vsphere_uuid, last sync time, last status) of every vCenter that syncs, for monitoring."""
    return [(name, uuid or "", at, status) for name, uuid, at, status in
            VCenter.objects.filter(sync_enabled=True).order_by("pk")
            .values_list("name", "vsphere_uuid", "last_sync_at", "last_sync_status")]
