from .audit import AuditEventViewSet
from .event_triggers import EventTriggerFiringViewSet, EventTriggerViewSet
from .executions import ExecutionViewSet, TaskExecutionViewSet, TimerTriggerViewSet
from .orchtasks import OrchTaskViewSet
from .tenancy import AccessKeyViewSet, MembershipViewSet, ProjectViewSet, RegionViewSet, TenantViewSet

__all__ = [
    "AuditEventViewSet",
    "AccessKeyViewSet",
    "EventTriggerFiringViewSet",
    "EventTriggerViewSet",
    "ExecutionViewSet",
    "MembershipViewSet",
    "OrchTaskViewSet",
    "ProjectViewSet",
    "RegionViewSet",
    "TaskExecutionViewSet",
    "TenantViewSet",
    "TimerTriggerViewSet",
]
