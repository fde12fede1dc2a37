"""The one authorization rule, and the services that must call it whoever calls them."""
from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser

from orchestration.authorization import SYSTEM, allows, require
from orchestration.errors import Forbidden
from orchestration.models import Scope, Tenant
from orchestration.services.executions import start_execution
from templates_app.models import Template
from templates_app.services.templates import create_template, delete_template, update_template

pytestmark = pytest.mark.django_db

CONTENT = json.dumps({"FormatVersion": "OOS-2019-06-01",
                      "Tasks": [{"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}]})


@pytest.mark.parametrize(("who", "view", "run", "manage"), [
    ("viewer_a", True, False, False),
    ("operator_a", True, True, False),
    ("admin_a", True, True, True),
    ("admin_b", False, False, False),  # an admin elsewhere is nobody here
])
def test_roles_grant_scopes_in_their_own_tenant_only(request, tenant_a, who, view, run, manage):
    user = request.getfixturevalue(who)
    assert [allows(user, tenant_a, scope) for scope in (Scope.VIEW, Scope.RUN, Scope.MANAGE)] == [view, run, manage]


def test_platform_staff_and_the_system_may_do_anything_anonymous_nothing(tenant_a, superuser):
    for scope in (Scope.VIEW, Scope.RUN, Scope.MANAGE):
        assert allows(superuser, tenant_a, scope) and allows(SYSTEM, tenant_a, scope)
        assert not allows(AnonymousUser(), tenant_a, scope) and not allows(None, tenant_a, scope)
    assert Tenant.objects.for_user(SYSTEM).filter(pk=tenant_a.pk).exists()


def test_a_disabled_tenant_grants_nothing(tenant_a, admin_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(enabled=False)
    assert not allows(admin_a, tenant_a, Scope.VIEW)
    with pytest.raises(Forbidden, match=f"tenant {tenant_a.pk} does not allow running templates"):
        require(admin_a, tenant_a, Scope.RUN, "running templates")


def test_template_services_check_the_actor_themselves(tenant_a, viewer_a, operator_a, admin_b):
    with pytest.raises(Forbidden):
        create_template(tenant=tenant_a, actor=viewer_a, name="by-viewer", content=CONTENT)
    with pytest.raises(Forbidden):
        create_template(tenant=tenant_a, actor=admin_b, name="by-stranger", content=CONTENT)
    template = create_template(tenant=tenant_a, actor=operator_a, name="by-operator", content=CONTENT)
    assert template.created_by == "oscar"
    with pytest.raises(Forbidden):
        update_template(template, actor=admin_b, content=CONTENT.replace("PT0S", "PT1S"))
    with pytest.raises(Forbidden):
        delete_template(template, actor=viewer_a)
    delete_template(template, actor=operator_a)
    assert not Template.objects.filter(pk=template.pk).exists()


def test_public_templates_are_written_by_the_system_only(superuser):
    with pytest.raises(Forbidden, match="built-in loader"):
        create_template(tenant=None, actor=superuser, name="ACS-Mine", content=CONTENT, builtin=True)
    public = create_template(tenant=None, actor=SYSTEM, name="ACS-Mine", content=CONTENT, builtin=True)
    assert public.is_public and public.created_by == "system"


def test_starting_an_execution_checks_the_actor(tenant_a, viewer_a, operator_a):
    template = create_template(tenant=tenant_a, actor=operator_a, name="runnable", content=CONTENT)
    with pytest.raises(Forbidden, match="running templates"):
        start_execution(tenant=tenant_a, user=viewer_a, template=template)
    assert start_execution(tenant=tenant_a, user=operator_a, template=template).executed_by == "oscar"
