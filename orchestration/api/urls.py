"""Native API routes of the orchestration app; ``config/urls.py`` mounts every app's routes on one router."""
from orchestration.api import views

routes = [
    ("tenants", views.TenantViewSet, None),
    ("projects", views.ProjectViewSet, None),
    ("regions", views.RegionViewSet, None),
    ("members", views.MembershipViewSet, None),
    ("access-keys", views.AccessKeyViewSet, None),
    ("executions", views.ExecutionViewSet, None),
    ("task-executions", views.TaskExecutionViewSet, None),
    ("timer-triggers", views.TimerTriggerViewSet, None),
    ("event-triggers", views.EventTriggerViewSet, None),
    ("event-trigger-firings", views.EventTriggerFiringViewSet, None),
    ("orch-tasks", views.OrchTaskViewSet, None),
    ("parameters", views.ParameterViewSet, "parameter"),
    ("secret-parameters", views.SecretParameterViewSet, "secret-parameter"),
    ("audit-events", views.AuditEventViewSet, None),
]
