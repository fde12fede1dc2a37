from .executions import ExecutionViewSet, TaskExecutionViewSet, TimerTriggerViewSet
from .tenancy import AccessKeyViewSet, MembershipViewSet, ProjectViewSet, RegionViewSet, TenantViewSet

__all__ = [
    "AccessKeyViewSet",
    "ExecutionViewSet",
    "MembershipViewSet",
    "ProjectViewSet",
    "RegionViewSet",
    "TaskExecutionViewSet",
    "TenantViewSet",
    "TimerTriggerViewSet",
]
