"""Models of the vSphere app: vCenters, their synced inventory, tasks and events."""
from .events import VSphereEvent
from .inventory import EntityType, InventoryObject
from .tasks import UNFINISHED_STATES, TaskState, VSphereTask
from .vcenter import ENDPOINT_FIELDS, Protocol, SyncStatus, VCenter, VCenterOwnedQuerySet, VCenterQuerySet

__all__ = [
    "ENDPOINT_FIELDS",
    "EntityType",
    "InventoryObject",
    "Protocol",
    "SyncStatus",
    "TaskState",
    "UNFINISHED_STATES",
    "VCenter",
    "VCenterOwnedQuerySet",
    "VCenterQuerySet",
    "VSphereEvent",
    "VSphereTask",
]
