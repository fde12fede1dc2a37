"""Models of the orchestration app, split by domain."""
from .audit import AppendOnly, AuditEvent, AuditResult, Face
from .event_triggers import AlarmStatus, EventCursor, EventTrigger, EventTriggerFiring
from .executions import (
    FINISHED_STATUSES,
    TASK_FINISHED_STATUSES,
    Execution,
    ExecutionLog,
    ExecutionStatus,
    LogType,
    LoopMode,
    Mode,
    SafetyCheck,
    TaskExecution,
    TaskStatus,
    Trigger,
    WaitingFor,
)
from .nonces import SignatureNonce
from .orchtasks import OrchTask, OrchTaskStatus, OrchTaskStep
from .parameters import Parameter, ParameterType, ParameterVersion
from .tags import ResourceTag
from .tenancy import (
    AccessKey,
    Membership,
    Project,
    Region,
    Role,
    Scope,
    Tenant,
    TenantScopedQuerySet,
    is_platform_staff,
)
from .triggers import TimerTrigger

__all__ = [
    "AlarmStatus",
    "EventCursor",
    "EventTrigger",
    "EventTriggerFiring",
    "AppendOnly",
    "AuditEvent",
    "AuditResult",
    "Face",
    "FINISHED_STATUSES",
    "TASK_FINISHED_STATUSES",
    "Execution",
    "ExecutionLog",
    "ExecutionStatus",
    "LogType",
    "LoopMode",
    "Mode",
    "SafetyCheck",
    "TaskExecution",
    "TaskStatus",
    "WaitingFor",
    "Trigger",
    "AccessKey",
    "Membership",
    "OrchTask",
    "OrchTaskStatus",
    "OrchTaskStep",
    "Parameter",
    "ParameterType",
    "ParameterVersion",
    "Project",
    "Region",
    "ResourceTag",
    "Role",
    "Scope",
    "SignatureNonce",
    "Tenant",
    "TenantScopedQuerySet",
    "is_platform_staff",
    "TimerTrigger",
]
