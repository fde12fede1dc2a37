"""Native API routes of the vSphere app, registered on the one router in ``config/urls.py``."""
from .native import InventoryObjectViewSet, VCenterViewSet, VSphereEventViewSet, VSphereTaskViewSet

routes = [
    ("vcenters", VCenterViewSet, None),
    ("vsphere-inventory", InventoryObjectViewSet, None),
    ("vsphere-tasks", VSphereTaskViewSet, None),
    ("vsphere-events", VSphereEventViewSet, None),
]
