from .audit import AuditEventFilterSet
from .executions import ExecutionFilterSet, ExecutionLogFilterSet, TaskExecutionFilterSet, TimerTriggerFilterSet
from .tenancy import AccessKeyFilterSet, MembershipFilterSet, ProjectFilterSet, RegionFilterSet, TenantFilterSet

__all__ = [
    "AuditEventFilterSet",
    "AccessKeyFilterSet",
    "ExecutionFilterSet",
    "ExecutionLogFilterSet",
    "MembershipFilterSet",
    "ProjectFilterSet",
    "RegionFilterSet",
    "TaskExecutionFilterSet",
    "TenantFilterSet",
    "TimerTriggerFilterSet",
]
