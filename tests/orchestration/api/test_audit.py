"""The audit trail: native API, console and admin calls recorded once each; who reads it; append-only."""
from __future__ import annotations

import pytest
from django.urls import reverse

from orchestration.models import AppendOnly, AuditEvent, Execution, ExecutionLog
from orchestration.services import audit
from tests.envelopes import assert_error

from .conftest import APPROVAL, SIMPLE, drive

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-events/"
OFFICE = "198.51.100.7"


def only_event(**filters) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


def cancel_line_names(execution: Execution, actor: str) -> bool:
    """Whether the execution's log says who cancelled it."""
    line = f"Cancelled by {actor}."
    return ExecutionLog.objects.filter(execution=execution, message__endswith=line).exists()


class TestNative:
    def test_cancel_records_one_event_and_the_log_line_names_the_actor(self, api, operator_a, tenant_a, started):
        waiting = started(APPROVAL)
        response = api.as_user(operator_a).post(f"/api/v1/executions/{waiting.pk}/cancel/", REMOTE_ADDR=OFFICE)
        assert response.status_code == 200, response.content
        event = only_event()
        assert (event.face, event.action, event.result, event.error_code) == ("native", "execution.cancel",
                                                                              "success", "")
        assert (event.actor, event.user_id, event.tenant_id) == ("oscar", operator_a.pk, tenant_a.pk)
        assert (event.object_type, event.object_id, event.source_address) == ("execution", waiting.pk, OFFICE)
        assert drive(waiting).status == "Cancelled"
        assert cancel_line_names(waiting, "oscar")

    def test_create_names_the_new_object(self, api, operator_a, tenant_a, make_template):
        make_template(SIMPLE, name="simple")
        body = api.as_user(operator_a).post("/api/v1/executions/", {"template": "simple"}, format="json").json()
        event = only_event()
        assert (event.action, event.object_id, event.tenant_id, event.result) == (
            "execution.create", body["id"], tenant_a.pk, "success")

    def test_a_refused_call_is_a_failure_with_its_code(self, api, viewer_a, tenant_a, started):
        waiting = started(APPROVAL)
        assert_error(api.as_user(viewer_a).post(f"/api/v1/executions/{waiting.pk}/cancel/"), 403)
        event = only_event()
        assert (event.result, event.error_code, event.actor, event.tenant_id) == (
            "failure", "permission_denied", "victor", tenant_a.pk)
        assert Execution.objects.get(pk=waiting.pk).cancel_requested is False

    def test_reading_records_nothing(self, api, operator_a, started):
        done = started(SIMPLE)
        client = api.as_user(operator_a)
        assert client.get("/api/v1/executions/").status_code == 200
        assert client.get(f"/api/v1/executions/{done.pk}/logs/").status_code == 200
        assert not AuditEvent.objects.exists()

    def test_access_key_creation(self, api, viewer_a, tenant_a):
        response = api.as_user(viewer_a).post("/api/v1/access-keys/", {"tenant": tenant_a.pk}, format="json")
        assert response.status_code == 201, response.content
        event = only_event()
        assert (event.action, event.object_id, event.tenant_id) == ("accesskey.create", response.json()["id"],
                                                                    tenant_a.pk)


class TestConsole:
    def test_cancel_button(self, client, operator_a, tenant_a, started):
        waiting = started(APPROVAL)
        client.force_login(operator_a)
        url = reverse("console:execution-act", args=[waiting.pk])
        assert client.post(url, {"action": "cancel"}, REMOTE_ADDR=OFFICE).status_code == 302
        event = only_event()
        assert (event.face, event.action, event.actor, event.tenant_id) == (
            "console", "execution-act.cancel", "oscar", tenant_a.pk)
        assert (event.object_type, event.object_id, event.result, event.source_address) == (
            "execution", waiting.pk, "success", OFFICE)

    def test_refused_button_is_a_failure(self, client, viewer_a, started):
        waiting = started(APPROVAL)
        client.force_login(viewer_a)
        assert client.post(reverse("console:execution-act", args=[waiting.pk]), {"action": "cancel"}).status_code == 403
        assert only_event().result == "failure"

    def test_switching_tenant_and_reading_record_nothing(self, client, operator_a, tenant_a):
        client.force_login(operator_a)
        client.post(reverse("console:switch"), {"tenant": tenant_a.pk})
        client.get(reverse("console:execution-list"))
        assert not AuditEvent.objects.exists()


class TestAdmin:
    CHANGELIST = "admin:orchestration_execution_changelist"

    def test_admin_action_records_each_object(self, client, admin_a, tenant_a, started):
        waiting = started(APPROVAL)
        client.force_login(admin_a)
        client.post(reverse(self.CHANGELIST), {"action": "cancel_executions", "_selected_action": [waiting.pk]},
                    REMOTE_ADDR=OFFICE)
        event = only_event()
        assert (event.face, event.action, event.object_id, event.tenant_id, event.actor) == (
            "admin", "execution.cancel_executions", waiting.pk, tenant_a.pk, "alice")
        assert drive(waiting).status == "Cancelled"
        assert cancel_line_names(waiting, "alice")

    def test_change_and_delete_are_recorded(self, client, superuser, tenant_a):
        client.force_login(superuser)
        change = reverse("admin:orchestration_tenant_change", args=[tenant_a.pk])
        assert client.post(change, {"name": "Acme 2", "email": "", "enabled": "on",
                                    **_empty_inlines()}).status_code == 302
        assert only_event().action == "tenant.change"
        region = reverse("admin:orchestration_region_add")
        assert client.post(region, {"id": "cn-x", "alias": ""}).status_code == 302
        assert only_event(action="region.add").tenant_id is None

    def test_staff_read_the_trail_but_cannot_change_it(self, client, superuser, admin_a, tenant_a):
        event = audit.record(face="native", action="execution.cancel", ok=True, tenant_id=tenant_a.pk)
        client.force_login(superuser)
        assert client.get(reverse("admin:orchestration_auditevent_changelist"),
                          {"face__exact": "native", "q": "alice"}).status_code == 200
        assert client.get(reverse("admin:orchestration_auditevent_change", args=[event.pk])).status_code == 200
        assert client.post(reverse("admin:orchestration_auditevent_change", args=[event.pk]),
                           {"action": "x"}).status_code == 403
        assert client.post(reverse("admin:orchestration_auditevent_delete", args=[event.pk]),
                           {"post": "yes"}).status_code == 403
        assert client.get(reverse("admin:orchestration_auditevent_add")).status_code == 403
        client.force_login(admin_a)  # a tenant admin is not platform staff
        assert client.get(reverse("admin:orchestration_auditevent_changelist")).status_code == 403
        with pytest.raises(AppendOnly):
            AuditEvent.objects.filter(pk=event.pk).update(action="nothing")
        with pytest.raises(AppendOnly):
            AuditEvent.objects.filter(pk=event.pk).delete()
        event.action = "nothing"
        with pytest.raises(AppendOnly):
            event.save()
        assert AuditEvent.objects.get(pk=event.pk).action == "execution.cancel"


def _empty_inlines() -> dict:
    return {f"{prefix}-{field}": 0 for prefix in ("projects", "memberships")
            for field in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")} | {
        f"{prefix}-MAX_NUM_FORMS": 1000 for prefix in ("projects", "memberships")}


class TestReading:
    @pytest.fixture
    def events(self, tenant_a, tenant_b, operator_a):
        a1 = audit.record(face="native", action="execution.cancel", ok=True, user=operator_a, tenant_id=tenant_a.pk,
                          object_type="execution", object_id="exec-1")
        a2 = audit.record(face="alibaba", action="StartExecution", ok=False, error_code="Forbidden",
                          access_key_id="AK1", tenant_id=tenant_a.pk)
        b1 = audit.record(face="native", action="template.create", ok=True, tenant_id=tenant_b.pk)
        return a1, a2, b1

    def test_tenant_admins_see_their_tenant_only(self, api, admin_a, admin_b, events):
        a1, a2, b1 = events
        rows = api.as_user(admin_a).get(URL).json()["results"]
        assert [r["id"] for r in rows] == [a2.pk, a1.pk]  # newest first
        assert rows[1]["actor"] == "oscar" and rows[0]["access_key_id"] == "AK1"
        assert [r["id"] for r in api.as_user(admin_b).get(URL).json()["results"]] == [b1.pk]
        assert_error(api.as_user(admin_b).get(f"{URL}{a1.pk}/"), 404)

    def test_filters_and_pages(self, api, admin_a, events):
        a1, a2, _ = events
        client = api.as_user(admin_a)

        def ids(**query):
            return [r["id"] for r in client.get(URL, query).json()["results"]]

        assert ids(face="alibaba") == [a2.pk] and ids(result="success") == [a1.pk]
        assert ids(actor="oscar") == [a1.pk] and ids(action="execution.") == [a1.pk]
        assert ids(object_id="exec-1") == [a1.pk] and ids(created_after=a2.created_at.isoformat()) == [a2.pk]
        first = client.get(URL, {"page_size": 1}).json()
        assert [r["id"] for r in first["results"]] == [a2.pk]
        assert [r["id"] for r in client.get(first["next"]).json()["results"]] == [a1.pk]

    def test_operators_and_viewers_are_refused(self, api, operator_a, viewer_a, events):
        assert_error(api.as_user(operator_a).get(URL), 403)
        assert_error(api.as_user(viewer_a).get(URL), 403)
        assert api.as_user(operator_a).post(URL, {}).status_code in (403, 405)

    def test_console_page_for_tenant_admins(self, client, admin_a, admin_b, operator_a, events):
        a1, a2, b1 = events
        client.force_login(admin_a)
        page = client.get(reverse("console:audit"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "StartExecution" in html and "execution.cancel" in html and "template.create" not in html
        assert reverse("console:audit") in client.get(reverse("console:dashboard")).content.decode()  # nav entry
        filtered = client.get(reverse("console:audit"), {"face": "alibaba", "result": "failure"}).content.decode()
        assert "StartExecution" in filtered and "execution.cancel" not in filtered
        client.force_login(operator_a)
        assert reverse("console:audit") not in client.get(reverse("console:dashboard")).content.decode()
        assert client.get(reverse("console:audit")).status_code == 403
        client.force_login(admin_b)
        html = client.get(reverse("console:audit")).content.decode()
        assert "template.create" in html and "StartExecution" not in html

    def test_console_pages_by_keyset(self, client, admin_a, tenant_a, monkeypatch):
        from orchestration.console.views import audit as page

        monkeypatch.setattr(page, "PAGE_SIZE", 2)
        made = [audit.record(face="native", action=f"step.{i}", ok=True, tenant_id=tenant_a.pk) for i in range(3)]
        client.force_login(admin_a)
        first = client.get(reverse("console:audit")).content.decode()
        assert "step.2" in first and "step.1" in first and "step.0" not in first
        older = client.get(reverse("console:audit"), {"before": made[1].pk}).content.decode()
        assert "step.0" in older and "step.1" not in older and "step.2" not in older

    def test_the_trail_is_read_only(self, api, admin_a, events):
        a1 = events[0]
        client = api.as_user(admin_a)
        assert client.delete(f"{URL}{a1.pk}/").status_code == 405
        assert client.patch(f"{URL}{a1.pk}/", {"action": "x"}, format="json").status_code == 405
