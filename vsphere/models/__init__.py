"""Models of the vSphere app: vCenters, their synced inventory and tasks."""
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
    "VSphereTask",
]
