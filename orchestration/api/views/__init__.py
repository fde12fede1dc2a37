from .audit import AuditEventViewSet
from .event_triggers import EventTriggerFiringViewSet, EventTriggerViewSet
from .executions import ExecutionViewSet, TaskExecutionViewSet, TimerTriggerViewSet
from .orchtasks import OrchTaskViewSet
from .parameters import ParameterViewSet, SecretParameterViewSet
from .tenancy import AccessKeyViewSet, MembershipViewSet, ProjectViewSet, RegionViewSet, TenantViewSet

__all__ = [
    "AuditEventViewSet",
    "AccessKeyViewSet",
    "EventTriggerFiringViewSet",
    "EventTriggerViewSet",
    "ExecutionViewSet",
    "MembershipViewSet",
    "OrchTaskViewSet",
    "ParameterViewSet",
    "SecretParameterViewSet",
    "ProjectViewSet",
    "RegionViewSet",
    "TaskExecutionViewSet",
    "TenantViewSet",
    "TimerTriggerViewSet",
]
