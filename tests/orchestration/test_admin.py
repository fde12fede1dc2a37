"""Django admin: every page answers, and tenant admins see only their tenants' rows."""
from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.cache import cache
from django.urls import resolve, reverse
from django.utils.html import escape

from orchestration.authorization import SYSTEM
from orchestration.models import AccessKey, EventTrigger, Membership, Project, TimerTrigger
from orchestration.services import tenancy
from templates_app.services.templates import create_template

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def admin_urls_for(model, obj) -> list[str]:
    urls = [admin_url(model, "changelist")]
    if obj is not None:
        urls.append(admin_url(model, "change", obj.pk))
    return urls


def test_every_admin_page_answers_for_superuser(client, superuser, tenant_a, admin_a):
    """Changelist, add and change page of every registered model, this app's and others'."""
    Project.objects.create(tenant=tenant_a, name="p")
    tenancy.issue_access_key(tenant_a, admin_a)
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        obj = model_admin.get_queryset(type("R", (), {"user": superuser})()).first()
        for url in admin_urls_for(model, obj):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            response = client.get(url + "?q=a")
            assert response.status_code == 200, url
        if model_admin.has_add_permission(type("R", (), {"user": superuser})()):
            assert client.get(admin_url(model, "add")).status_code == 200


def test_tenant_admin_sees_only_own_tenant(client, admin_a, admin_b, tenant_a, tenant_b):
    Project.objects.create(tenant=tenant_a, name="mine")
    foreign = Project.objects.create(tenant=tenant_b, name="theirs")
    foreign_key = tenancy.issue_access_key(tenant_b, admin_b).key
    client.force_login(admin_a)
    page = client.get(reverse("admin:orchestration_project_changelist")).content.decode()
    assert "mine" in page and "theirs" not in page
    assert client.get(reverse("admin:orchestration_project_change", args=[foreign.pk])).status_code == 302
    assert client.get(reverse("admin:orchestration_accesskey_change", args=[foreign_key.pk])).status_code == 302
    tenants = client.get(reverse("admin:orchestration_tenant_changelist")).content.decode()
    assert "Acme" in tenants and "Globex" not in tenants
    members = client.get(reverse("admin:orchestration_membership_changelist")).content.decode()
    assert "alice" in members and "bob" not in members


def test_tenant_admin_cannot_create_in_foreign_tenant(client, admin_a, tenant_b):
    client.force_login(admin_a)
    response = client.post(
        reverse("admin:orchestration_project_add"), {"tenant": tenant_b.pk, "name": "x", "id": "org-x1"}
    )
    assert response.status_code == 200  # form redisplayed with an error
    assert "Select a valid choice" in response.content.decode()
    assert not Project.objects.filter(name="x").exists()


def test_viewer_cannot_use_admin(client, viewer_a):
    viewer_a.is_staff = True
    viewer_a.save()
    client.force_login(viewer_a)
    assert client.get(reverse("admin:orchestration_project_changelist")).status_code == 403


def test_access_key_secret_shown_once_on_creation(client, admin_a, tenant_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("admin:orchestration_accesskey_add"),
        {"tenant": tenant_a.pk, "owner": admin_a.pk, "description": "deploy", "enabled": "on"},
        follow=True,
    )
    assert response.status_code == 200
    key = AccessKey.objects.get(description="deploy")
    assert key.secret in response.content.decode()
    change_page = client.get(reverse("admin:orchestration_accesskey_change", args=[key.pk])).content.decode()
    assert key.secret not in change_page
    assert Membership.objects.filter(user=admin_a).count() == 1


def test_only_superusers_switch_a_tenant_on_or_off(client, admin_a, superuser, tenant_a):
    url = reverse("admin:orchestration_tenant_change", args=[tenant_a.pk])
    client.force_login(admin_a)
    page = client.get(url).content.decode()
    assert 'name="name"' in page and 'name="enabled"' not in page
    client.force_login(superuser)
    assert 'name="enabled"' in client.get(url).content.decode()


def test_a_tenant_admin_sets_whether_members_approve_their_own_runs(client, admin_a, tenant_a):
    url = reverse("admin:orchestration_tenant_change", args=[tenant_a.pk])
    client.force_login(admin_a)
    page = client.get(url).content.decode()
    assert 'name="allow_self_approval"' in page and "Members may approve their own executions" in page
    assert "four-eyes rule" in page


def test_trigger_forms_offer_only_templates_the_tenant_admin_may_run(client, admin_a, tenant_a, tenant_b):
    content = "FormatVersion: OOS-2019-06-01\nTasks:\n  - {Name: s, Action: ACS::Sleep, Properties: {Duration: PT1S}}\n"
    create_template(tenant=tenant_a, actor=SYSTEM, name="ours", content=content)
    create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=content)
    client.force_login(admin_a)
    for model in (TimerTrigger, EventTrigger):
        page = client.get(admin_url(model, "add")).content.decode()
        assert ">ours (" in page and ">theirs (" not in page, model


def test_a_changelist_row_selection_box_is_the_markup_django_renders(client, superuser, tenant_a):
    """Rows' action boxes are formatted, not rendered through a widget template: same HTML,
    and an action posted with them still reaches the selected rows."""
    project = Project.objects.create(tenant=tenant_a, name="quoted <&> name")
    model_admin = admin.site._registry[Project]
    assert model_admin.action_checkbox(project) == admin.ModelAdmin.action_checkbox(model_admin, project)
    client.force_login(superuser)
    page = client.get(admin_url(Project, "changelist")).content.decode()
    assert admin.ModelAdmin.action_checkbox(model_admin, project) in page
    response = client.post(admin_url(Project, "changelist"),
                           {"action": "delete_selected", "_selected_action": [str(project.pk)]})
    assert response.status_code == 200 and "Are you sure" in response.content.decode()


def test_a_filtered_changelist_links_rows_with_its_filters_as_django_does(client, superuser, tenant_a, rf):
    """Each row's link carries the list's filters (so "Close" on the row returns to them),
    appended once per page rather than found by resolving every row's URL."""
    project = Project.objects.create(tenant=tenant_a, name="alpha & beta")
    model_admin = admin.site._registry[Project]
    query = {"q": "alpha & beta", "tenant__id__exact": tenant_a.pk}
    request = rf.get(admin_url(Project, "changelist"), query)
    request.user, request.resolver_match = superuser, resolve(request.path)
    expected = add_preserved_filters(
        {"preserved_filters": model_admin.get_preserved_filters(request), "opts": Project._meta},
        admin_url(Project, "change", project.pk),
    )
    assert "_changelist_filters=" in expected
    client.force_login(superuser)
    page = client.get(admin_url(Project, "changelist"), query).content.decode()
    assert f'href="{escape(expected)}"' in page
    unfiltered = client.get(admin_url(Project, "changelist")).content.decode()
    assert f'href="{admin_url(Project, "change", project.pk)}"' in unfiltered


def test_a_changelist_counts_exactly_to_a_thousand_rows_and_marks_an_estimate(client, superuser, tenant_a):
    Project.objects.bulk_create(Project(tenant=tenant_a, name=f"p{i:04d}") for i in range(1_001))
    client.force_login(superuser)
    everything = client.get(admin_url(Project, "changelist")).content.decode()
    assert re.search(r"~\d+ projects", everything)  # past the cap: PostgreSQL's estimate, marked
    few = client.get(admin_url(Project, "changelist"), {"q": "p000"}).content.decode()
    assert re.search(r"\n10 projects", few)  # p0000 … p0009: exact


def sidebar(client, url: str) -> str:
    page = client.get(url).content.decode()
    return page[page.index('<nav class="sticky" id="nav-sidebar"'):page.index("</nav>", page.index('id="nav-sidebar"'))]


def test_the_kept_sidebar_is_each_users_own_and_marks_the_current_model(client, superuser, admin_a, tenant_a):
    cache.clear()
    executions, templates = "/admin/orchestration/execution/", "/admin/templates_app/template/"
    vcenters = 'href="/admin/vsphere/vcenter/"'
    client.force_login(superuser)
    drawn = sidebar(client, executions)
    assert vcenters in drawn and 'class="model-execution current-model"' in drawn
    assert sidebar(client, executions) == drawn  # kept
    moved = sidebar(client, templates)
    assert 'class="model-template current-model"' in moved and 'class="model-execution"' in moved
    client.force_login(admin_a)  # a tenant admin: no vCenters (platform staff only), even right after
    theirs = sidebar(client, executions)
    assert "model-execution current-model" in theirs and vcenters not in theirs
    cache.clear()
