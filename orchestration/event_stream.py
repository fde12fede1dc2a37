"""Events from the outside world that event triggers react to: the kernel's meeting point.

The vSphere app reads events from each vCenter into its own table
(``vsphere.services.event_sync``) and registers an :class:`EventSource` that reads
them back in key order from its ``AppConfig.ready()``; the engine ticker hands what is
new to the event triggers (``orchestration.services.event_triggers``), which keep
their own position per source. Neither app imports the other: an :class:`Event` is
plain data.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    """One event as triggers see it (and as templates read it: ``{{ event.entity.moref }}``)."""

    source: str  # "vsphere"
    source_id: int  # the vCenter's primary key
    key: int  # the source's own, increasing event key
    type: str  # e.g. VmPoweredOffEvent
    time: datetime
    entity_kind: str = ""  # VirtualMachine, HostSystem, …
    entity_moref: str = ""
    entity_name: str = ""
    entity_path: str = ""  # inventory path (folders) when known
    user: str = ""
    message: str = ""
    chain_id: int | None = None
    alarm_name: str = ""
    alarm_status: str = ""
    tenant_ids: frozenset[int] = field(default_factory=frozenset)  # tenants the source is granted to

    def as_context(self) -> dict[str, Any]:
        """The ``event`` variable of a trigger's parameter expressions."""
        data = asdict(self)
        data.pop("tenant_ids")
        data["time"] = self.time.isoformat()
        data["entity"] = {"kind": self.entity_kind, "moref": self.entity_moref, "name": self.entity_name,
                          "path": self.entity_path}
        data["alarm"] = {"name": self.alarm_name, "status": self.alarm_status}
        return data


class EventSource(Protocol):
    """Where events come from: stored events read back in increasing key order."""

    name: str

    def latest_keys(self) -> dict[int, int]:
        """The highest stored event key of each source id (vCenter) that has events (a cheap read)."""

    def key_before(self, source_id: int, moment: datetime) -> int:
        """The highest stored event key of ``source_id`` created before ``moment`` (0 if none)."""

    def read_after(self, source_id: int, key: int, limit: int) -> list[Event]:
        """Up to ``limit`` stored events of ``source_id`` with a key above ``key``, oldest first."""


_sources: dict[str, EventSource] = {}


def register_source(source: EventSource) -> None:
    _sources[source.name] = source


def sources() -> list[EventSource]:
    return list(_sources.values())
