"""Console URLs, mounted at ``/console/`` by ``config.urls``."""
from django.contrib.auth import views as auth_views
from django.urls import path

from orchestration.console.views import dashboard, shell, templates

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

# Areas whose backend has not landed yet answer with a "not available yet" page; each
# line is replaced by the real views when the engine, OrchTasks and vSphere services land.
urlpatterns += [
    path("executions/", shell.unavailable("executions"), name="execution-list"),
    path("templates/<str:template_id>/run/", shell.unavailable("executions"), name="template-run"),
    path("approvals/", shell.unavailable("approvals"), name="approvals"),
    path("orchtasks/", shell.unavailable("orchtasks"), name="orchtasks"),
    path("vsphere/", shell.unavailable("vsphere"), name="vsphere"),
]
