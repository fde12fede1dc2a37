"""Login, navigation, the tenant switcher and the language switch."""
from __future__ import annotations

import pytest
from django.test import Client

from orchestration.console import selection
from orchestration.models import Membership, Project, Role, Tenant

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_console_login():
    response = Client().get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=/console/")


def test_login_with_the_admin_users(operator_a):
    client = Client()
    page = client.get("/console/login/")
    assert page.status_code == 200 and b'name="username"' in page.content
    response = client.post("/console/login/", {"username": "oscar", "password": "pw-oscar", "next": "/console/"})
    assert response.status_code == 302 and response["Location"] == "/console/"
    dashboard = client.get("/console/")
    assert dashboard.status_code == 200
    assert b"Acme" in dashboard.content


def test_wrong_password_is_refused_on_the_page(operator_a):
    response = Client().post("/console/login/", {"username": "oscar", "password": "nope"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_logout_is_a_post(operator_a, client_as):
    client = client_as(operator_a)
    response = client.post("/console/logout/")
    assert response.status_code == 302 and response["Location"] == "/console/login/"
    assert client.get("/console/").status_code == 302


def test_navigation_lists_every_area(operator_a, client_as):
    page = client_as(operator_a).get("/console/").content.decode()
    for label in ("Dashboard", "Templates", "Executions", "Approvals", "OrchTasks", "vSphere"):
        assert label in page



def test_switcher_only_accepts_the_users_tenants(operator_a, tenant_a, tenant_b, client_as):
    second = Tenant.objects.create(name="Initech")
    Membership.objects.create(user=operator_a, tenant=second, role=Role.VIEWER)
    project = Project.objects.create(tenant=second, name="web")
    client = client_as(operator_a)
    client.post("/console/switch/", {"tenant": second.pk, "project": project.pk, "next": "/console/templates/"})
    assert client.session[selection.TENANT_KEY] == second.pk
    assert client.session[selection.PROJECT_KEY] == project.pk
    # Someone else's tenant is ignored, not trusted.
    client.post("/console/switch/", {"tenant": tenant_b.pk})
    assert client.session[selection.TENANT_KEY] == second.pk
    # Switching tenant clears the project (it belongs to the old tenant).
    client.post("/console/switch/", {"tenant": tenant_a.pk, "project": project.pk})
    assert client.session[selection.TENANT_KEY] == tenant_a.pk
    assert client.session[selection.PROJECT_KEY] is None


def test_switch_refuses_offsite_next(operator_a, client_as):
    response = client_as(operator_a).post("/console/switch/", {"next": "https://evil.test/"})
    assert response["Location"] == "/console/"


def test_language_switch_translates_navigation(operator_a, client_as):
    client = client_as(operator_a)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"})
    page = client.get("/console/").content.decode()
    assert "仪表盘" in page and "模板" in page and "执行" in page
