"""The vSphere app's event source: stored vCenter events, as the kernel's plain events.

Registered from ``VSphereConfig.ready()``; the engine's event triggers read it. Each
event carries the tenants its vCenter is granted to (a trigger of any other tenant
never sees it) and the entity's inventory path in names, for path patterns.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from orchestration.event_stream import Event
from vsphere.models import InventoryObject, VCenter, VSphereEvent


class VSphereEventSource:
    name = "vsphere"

    def latest_keys(self) -> dict[int, int]:
        return dict(VCenter.objects.exclude(event_key_until=None).values_list("pk", "event_key_until"))

    def key_before(self, source_id: int, moment: datetime) -> int:
        before = VSphereEvent.objects.filter(vcenter_id=source_id, created_time__lt=moment)
        return before.aggregate(key=Max("key"))["key"] or 0

    def read_after(self, source_id: int, key: int, limit: int) -> list[Event]:
        rows = list(VSphereEvent.objects.filter(vcenter_id=source_id, key__gt=key).order_by("key")[:limit])
        if not rows:
            return []
        tenants = frozenset(VCenter.tenants.through.objects.filter(vcenter_id=source_id)
                            .values_list("tenant_id", flat=True))
        paths = dict(InventoryObject.objects.filter(vcenter_id=source_id,
                                                    moref__in={row.entity_moref for row in rows if row.entity_moref})
                     .values_list("moref", "name_path"))
        return [Event(source=self.name, source_id=source_id, key=row.key, type=row.event_type,
                      time=row.created_time, entity_kind=row.entity_type, entity_moref=row.entity_moref,
                      entity_name=row.entity_name, entity_path=paths.get(row.entity_moref, ""), user=row.user,
                      message=row.message, chain_id=row.chain_id, alarm_name=row.alarm_name,
                      alarm_status=row.alarm_status, tenant_ids=tenants) for row in rows]


SOURCE = VSphereEventSource()
