"""Console URLs, mounted at ``/console/`` by ``config.urls``."""
from django.contrib.auth import views as auth_views
from django.urls import path

from orchestration.console.views import (
    audit,
    dashboard,
    events,
    execution_bulk,
    execution_logs,
    executions,
    orchtasks,
    parameters,
    schedules,
    shell,
    templates,
    vsphere,
)

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="console/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("switch/", shell.switch, name="switch"),
    path("templates/", templates.template_list, name="template-list"),
    path("templates/new/", templates.template_create, name="template-create"),
    path("templates/validate/", templates.template_validate, name="template-validate"),
    path("templates/<str:template_id>/", templates.template_detail, name="template-detail"),
    path("templates/<str:template_id>/edit/", templates.template_edit, name="template-edit"),
    path("templates/<str:template_id>/diff/", templates.template_diff, name="template-diff"),
    path("templates/<str:template_id>/delete/", templates.template_delete, name="template-delete"),
]

urlpatterns += [
    path("templates/<str:template_id>/run/", executions.template_run, name="template-run"),
    path("executions/", executions.execution_list, name="execution-list"),
    path("executions/bulk/", execution_bulk.execution_bulk, name="execution-bulk"),
    path("executions/<str:execution_id>/", executions.execution_detail, name="execution-detail"),
    path("executions/<str:execution_id>/live/", executions.execution_live, name="execution-live"),
    path("executions/<str:execution_id>/logs/", execution_logs.execution_logs, name="execution-logs"),
    path("executions/<str:execution_id>/logs/download/", execution_logs.execution_log_download,
         name="execution-log-download"),
    path("executions/<str:execution_id>/logs/raw/", execution_logs.execution_log_raw, name="execution-log-raw"),
    path("executions/<str:execution_id>/act/", executions.execution_act, name="execution-act"),
    path(
        "executions/<str:execution_id>/tasks/<str:task_execution_id>/items/",
        executions.loop_items,
        name="execution-loop-items",
    ),
    path("approvals/", executions.approvals, name="approvals"),
    path("templates/<str:template_id>/schedules/new/", schedules.schedule_create, name="template-schedule-create"),
    path("templates/<str:template_id>/schedules/<int:trigger_id>/act/", schedules.schedule_act,
         name="template-schedule-act"),
]

urlpatterns += [
    path("vsphere/", vsphere.vcenter_list, name="vsphere"),
    path("vsphere/vcenters/<int:vcenter_id>/act/", vsphere.vcenter_act, name="vsphere-vcenter-act"),
    path("vsphere/inventory/", vsphere.inventory_browser, name="vsphere-inventory"),
    path("vsphere/tasks/", vsphere.task_list, name="vsphere-tasks"),
    path("vsphere/events/", events.event_list, name="vsphere-events"),
    path("event-triggers/", events.trigger_list, name="event-triggers"),
    path("event-triggers/<int:event_trigger_id>/", events.trigger_detail, name="event-trigger-detail"),
    path("event-triggers/<int:event_trigger_id>/act/", events.trigger_act, name="event-trigger-act"),
]

urlpatterns += [
    path("orchtasks/", orchtasks.orchtask_list, name="orchtasks"),
    path("orchtasks/new/", orchtasks.orchtask_create, name="orchtask-create"),
    path("orchtasks/<str:task_id>/", orchtasks.orchtask_detail, name="orchtask-detail"),
    path("orchtasks/<str:task_id>/live/", orchtasks.orchtask_live, name="orchtask-live"),
    path("orchtasks/<str:task_id>/edit/", orchtasks.orchtask_edit, name="orchtask-edit"),
    path("orchtasks/<str:task_id>/operate/", orchtasks.orchtask_operate, name="orchtask-operate"),
    path("orchtasks/<str:task_id>/delete/", orchtasks.orchtask_delete, name="orchtask-delete"),
]

urlpatterns += [
    path("parameters/", parameters.parameter_list, name="parameters"),
    path("parameters/new/", parameters.parameter_create, name="parameter-create"),
    path("parameters/<str:parameter_id>/edit/", parameters.parameter_edit, name="parameter-edit"),
    path("parameters/<str:parameter_id>/delete/", parameters.parameter_delete, name="parameter-delete"),
    path("audit/", audit.audit_list, name="audit"),
]
