from .audit import AuditEventSerializer
from .executions import (
    DeletedSerializer,
    ExecutionDeleteSerializer,
    ExecutionLogSerializer,
    ExecutionNotifySerializer,
    ExecutionRerunSerializer,
    ExecutionSerializer,
    ExecutionStartSerializer,
    ExecutionTemplateSerializer,
    TaskExecutionSerializer,
    TimerTriggerSerializer,
    TimerTriggerUpdateSerializer,
)
from .tenancy import (
    AccessKeyCreatedSerializer,
    AccessKeySerializer,
    MembershipSerializer,
    ProjectSerializer,
    RegionSerializer,
    TenantSerializer,
)

__all__ = [
    "AuditEventSerializer",
    "AccessKeyCreatedSerializer",
    "AccessKeySerializer",
    "DeletedSerializer",
    "ExecutionDeleteSerializer",
    "ExecutionLogSerializer",
    "ExecutionNotifySerializer",
    "ExecutionRerunSerializer",
    "ExecutionSerializer",
    "ExecutionStartSerializer",
    "ExecutionTemplateSerializer",
    "MembershipSerializer",
    "ProjectSerializer",
    "RegionSerializer",
    "TaskExecutionSerializer",
    "TenantSerializer",
    "TimerTriggerSerializer",
    "TimerTriggerUpdateSerializer",
]
