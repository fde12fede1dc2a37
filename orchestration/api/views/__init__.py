from .audit import AuditEventViewSet
from .executions import ExecutionViewSet, TaskExecutionViewSet, TimerTriggerViewSet
from .orchtasks import OrchTaskViewSet
from .tenancy import AccessKeyViewSet, MembershipViewSet, ProjectViewSet, RegionViewSet, TenantViewSet

__all__ = [
    "AuditEventViewSet",
    "AccessKeyViewSet",
    "ExecutionViewSet",
    "MembershipViewSet",
    "OrchTaskViewSet",
    "ProjectViewSet",
    "RegionViewSet",
    "TaskExecutionViewSet",
    "TenantViewSet",
    "TimerTriggerViewSet",
]
