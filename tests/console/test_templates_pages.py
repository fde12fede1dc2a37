"""Template pages: list filters and scoping, detail, editor validation, versions and diff."""
from __future__ import annotations

import pytest

from orchestration.authorization import SYSTEM
from orchestration.models import Role
from templates_app.models import Template
from templates_app.services import templates as service
from tests.conftest import make_member
from tests.console.conftest import VALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(tenant_a):
    return service.create_template(
        tenant=tenant_a, actor=SYSTEM, name="pause-a", content=VALID, tags={"team": "ops"}
    )


@pytest.fixture
def foreign(tenant_b):
    return service.create_template(tenant=tenant_b, actor=SYSTEM, name="pause-b", content=VALID)


def test_list_shows_own_and_public_not_foreign(operator_a, own, foreign, client_as):
    page = client_as(operator_a).get("/console/templates/").content.decode()
    assert "pause-a" in page
    assert "ACS-VSphere-RebootAndWait" in page
    assert "pause-b" not in page


def test_list_filters_and_sorts(operator_a, own, client_as):
    client = client_as(operator_a)
    page = client.get("/console/templates/", {"q": "pause", "share_type": "Private"}).content.decode()
    assert "pause-a" in page and "ACS-VSphere" not in page
    page = client.get("/console/templates/", {"share_type": "Public", "sort": "created"}).content.decode()
    assert "pause-a" not in page and "ACS-VSphere-RollingReboot" in page
    assert "pause-a" in client.get("/console/templates/", {"tag": "team:ops"}).content.decode()
    assert "pause-a" not in client.get("/console/templates/", {"tag": "team:dev"}).content.decode()


def test_list_answers_htmx_with_the_results_fragment(operator_a, own, client_as):
    response = client_as(operator_a).get(
        "/console/templates/", {"q": "pause"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="template-results"
    )
    body = response.content.decode()
    assert "<table" in body and "<nav class=\"sidenav\"" not in body and "pause-a" in body


def test_list_pages(operator_a, tenant_a, client_as):
    for i in range(25):
        service.create_template(tenant=tenant_a, actor=SYSTEM, name=f"bulk-{i:02d}", content=VALID)
    client = client_as(operator_a)
    first = client.get("/console/templates/", {"q": "bulk"}).content.decode()
    assert "bulk-00" in first and "bulk-24" not in first and "page=2" in first
    second = client.get("/console/templates/", {"q": "bulk", "page": 2}).content.decode()
    assert "bulk-24" in second


def test_detail_shows_versions_risk_and_permissions(operator_a, client_as):
    template = Template.objects.get(name="ACS-VSphere-RebootAndWait")
    page = client_as(operator_a).get(f"/console/templates/{template.pk}/").content.decode()
    assert "Versions" in page and "v1" in page
    assert "Required permissions" in page
    assert "Run" in page and "Edit (new version)" not in page  # public: read-only
    assert 'class="tok-key"' in page


def test_detail_of_a_foreign_template_is_not_found(operator_a, foreign, client_as):
    response = client_as(operator_a).get(f"/console/templates/{foreign.pk}/")
    assert response.status_code == 404


def test_validate_endpoint_lists_problems_with_their_place(operator_a, client_as):
    bad = VALID.replace("ACS::Sleep", "ACS::NoSuchAction")
    response = client_as(operator_a).post("/console/templates/validate/", {"content": bad})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tasks[0].Action" in body
    ok = client_as(operator_a).post("/console/templates/validate/", {"content": VALID}).content.decode()
    assert "Valid" in ok


def test_create_refuses_invalid_content_then_saves(operator_a, client_as):
    client = client_as(operator_a)
    bad = VALID.replace("ACS::Sleep", "ACS::NoSuchAction")
    response = client.post("/console/templates/new/", {"name": "mine", "content": bad, "tags": "env=prod"})
    assert response.status_code == 400
    assert "Tasks[0].Action" in response.content.decode()
    assert not Template.objects.filter(name="mine").exists()
    response = client.post("/console/templates/new/", {"name": "mine", "content": VALID, "tags": "env=prod"})
    template = Template.objects.get(name="mine")
    assert response.status_code == 302 and response["Location"] == f"/console/templates/{template.pk}/"
    assert template.tenant.name == "Acme" and template.created_by == "oscar"


def test_create_shows_reserved_name_beside_the_field(operator_a, client_as):
    response = client_as(operator_a).post("/console/templates/new/", {"name": "ACS-Mine", "content": VALID})
    assert response.status_code == 400
    assert "reserved" in response.content.decode()


def test_viewer_cannot_create(tenant_a, client_as):
    viewer = make_member(tenant_a, "vera", Role.VIEWER)
    response = client_as(viewer).post("/console/templates/new/", {"name": "mine", "content": VALID})
    assert response.status_code == 403
    assert not Template.objects.filter(name="mine").exists()


def test_new_version_and_diff(operator_a, own, client_as):
    client = client_as(operator_a)
    edit = client.get(f"/console/templates/{own.pk}/edit/").content.decode()
    assert "team=ops" in edit
    changed = VALID.replace("PT1S", "PT2S")
    response = client.post(
        f"/console/templates/{own.pk}/edit/", {"content": changed, "version_description": "longer", "tags": "team=ops"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.version == 2
    diff = client.get(f"/console/templates/{own.pk}/diff/", {"old": "v1", "new": "v2"}).content.decode()
    assert 'class="line diff-del"' in diff and 'class="line diff-add"' in diff
    assert "PT2S" in diff


def test_public_template_cannot_be_edited(operator_a, client_as):
    template = Template.objects.get(name="ACS-VSphere-RebootAndWait")
    response = client_as(operator_a).post(f"/console/templates/{template.pk}/edit/", {"content": VALID})
    assert response.status_code == 403


def test_copy_of_a_builtin_prefills_the_editor(operator_a, client_as):
    template = Template.objects.get(name="ACS-VSphere-RebootAndWait")
    page = client_as(operator_a).get("/console/templates/new/", {"from": template.pk}).content.decode()
    assert "VSphere-RebootAndWait-copy" in page and "RebootVMGuest" in page


def test_delete_needs_the_role_that_writes_templates(viewer_a, operator_a, own, client_as):
    """The same rule as every API face: operators write (and delete) runbooks, viewers read."""
    assert client_as(viewer_a).post(f"/console/templates/{own.pk}/delete/").status_code == 404
    assert Template.objects.filter(pk=own.pk).exists()
    assert client_as(operator_a).post(f"/console/templates/{own.pk}/delete/").status_code == 302
    assert not Template.objects.filter(pk=own.pk).exists()


def test_dashboard_counts_and_builtins(operator_a, own, client_as):
    page = client_as(operator_a).get("/console/").content.decode()
    assert "Start from a built-in template" in page and "ACS-VSphere-RollingReboot" in page
    assert "Executions by status" in page and "vCenter sync health" in page
