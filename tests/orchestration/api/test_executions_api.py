"""Executions over the native API: start, read, control, delete, nested lists, tenancy and roles."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orchestration.authorization import SYSTEM
from orchestration.models import Execution, ExecutionLog, TaskExecution
from orchestration.services import executions as service
from templates_app.models import ShareType
from templates_app.services.templates import create_template
from tests.envelopes import assert_error

from .conftest import APPROVAL, FAILING, SIMPLE, drive, record, tpl

pytestmark = pytest.mark.django_db

URL = "/api/v1/executions/"


def start(client, template, **body):
    return client.post(URL, {"template": template, **body}, format="json")


@pytest.fixture
def foreign(tenant_b, admin_b):
    """A finished execution of tenant B (with a task execution and logs)."""
    template = create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=json.dumps(SIMPLE))
    execution = service.start_execution(tenant=tenant_b, user=admin_b, template=template, safety_check="Skip")
    return drive(execution)


class TestStart:
    def test_start_by_name_runs_and_reads_back(self, api, operator_a, tenant_a, make_template):
        make_template(tpl(record("x", "{{ Who }}"), parameters={"Who": {"Type": "String", "Default": "me"}}),
                      name="greet")
        response = start(api.as_user(operator_a), "greet", parameters={"Who": "you"}, safety_check="Skip",
                         description="first run", tags={"team": "ops"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["id"].startswith("exec-") and body["tenant"] == tenant_a.pk  # tenant implied: only one
        assert (body["template_name"], body["template_version"]) == ("greet", "v1")
        assert body["status"] == "Queued" and body["executed_by"] == "oscar" and body["trigger"] == "Manual"
        assert body["parameters"] == {"Who": "you"} and body["tags"] == {"team": "ops"}
        drive(body["id"])
        detail = api.get(f"{URL}{body['id']}/").json()
        assert detail["status"] == "Success"
        assert detail["counters"] == {"Success": 1, "Total": 1}
        assert detail["current_tasks"] == [] and detail["status_reason"] == "" and detail["is_parent"] is False
        assert detail["description"] == "first run" and detail["safety_check"] == "Skip"

    def test_start_by_id_and_version(self, api, operator_a, make_template):
        from templates_app.services.templates import update_template

        template = make_template(tpl(record("x", "v1")))
        update_template(template, actor=SYSTEM, content=tpl(record("x", "v2")))
        body = start(api.as_user(operator_a), template.pk, version="v1").json()
        assert body["template"] == template.pk and body["template_version"] == "v1"
        assert body["safety_check"] == "ConfirmEveryHighRiskAction"  # the default

    def test_public_template_may_be_run(self, api, operator_a, tenant_a):
        public = create_template(tenant=None, actor=SYSTEM, name="ACS-Public", content=json.dumps(SIMPLE),
                                 builtin=True)
        assert public.share_type == ShareType.PUBLIC
        response = start(api.as_user(operator_a), "ACS-Public")
        assert response.status_code == 201, response.content
        assert Execution.objects.get(pk=response.json()["id"]).tenant == tenant_a

    def test_bad_parameters_answer_each_place(self, api, operator_a, make_template):
        make_template(tpl(record("x", "{{ Size }}"), parameters={
            "Size": {"Type": "Number", "MinValue": 1, "MaxValue": 8},
            "Name": {"Type": "String", "AllowedPattern": "^[a-z]+$"},
        }), name="sized")
        response = start(api.as_user(operator_a), "sized", parameters={"Size": 99, "Name": "BAD"})
        body = assert_error(response, 400, "invalid")
        assert body["detail"]["place"] == "Parameters"
        problems = body["detail"]["problems"]
        assert any(p.startswith("Parameters.Size") for p in problems), problems
        assert any(p.startswith("Parameters.Name") for p in problems), problems
        assert not Execution.objects.exists()

    def test_bad_options_and_unknown_template(self, api, operator_a, make_template, tenant_b):
        client = api.as_user(operator_a)
        make_template(SIMPLE, name="simple")
        assert_error(start(client, "simple", mode="Sometimes"), 400, "invalid")
        body = assert_error(start(client, "nope"), 400, "invalid")
        assert "template" in body["detail"]
        create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=json.dumps(SIMPLE))
        assert_error(start(client, "theirs"), 400)  # another tenant's template does not exist
        assert_error(start(client, "simple", tenant=tenant_b.pk), 400)  # nor does another tenant

    def test_client_token_is_idempotent(self, api, operator_a, make_template):
        make_template(SIMPLE, name="simple")
        client = api.as_user(operator_a)
        first = start(client, "simple", client_token="deploy-42").json()
        again = start(client, "simple", client_token="deploy-42")
        assert again.status_code == 201 and again.json()["id"] == first["id"]
        assert Execution.objects.count() == 1
        other = start(client, "simple", client_token="deploy-43").json()
        assert other["id"] != first["id"]
        assert_error(start(client, "simple", client_token="x" * 65), 400)

    def test_viewer_cannot_start(self, api, viewer_a, make_template):
        make_template(SIMPLE, name="simple")
        assert_error(start(api.as_user(viewer_a), "simple"), 403)
        assert not Execution.objects.exists()

    def test_member_of_two_tenants_names_the_tenant(self, api, operator_a, tenant_a, tenant_b, make_template):
        from orchestration.models import Membership, Role

        Membership.objects.create(user=operator_a, tenant=tenant_b, role=Role.OPERATOR)
        make_template(SIMPLE, name="simple")
        body = assert_error(start(api.as_user(operator_a), "simple"), 400)
        assert "tenant" in body["detail"]
        assert start(api, "simple", tenant=tenant_a.pk).status_code == 201


class TestList:
    def test_filters(self, api, operator_a, started, make_template):
        done = started(SIMPLE)
        failed = started(FAILING)
        waiting = started(APPROVAL, mode="FailurePause")
        client = api.as_user(operator_a)

        def ids(**params):
            response = client.get(URL, params)
            assert response.status_code == 200, response.content
            return {row["id"] for row in response.json()["results"]}

        assert ids() == {done.pk, failed.pk, waiting.pk}
        assert ids(status="Failed") == {failed.pk}
        assert ids(status=["Failed", "Waiting"]) == {failed.pk, waiting.pk}
        assert ids(mode="FailurePause") == {waiting.pk}
        assert ids(template_name=done.template_name[2:].upper()) == {done.pk}
        assert ids(executed_by="oscar") == {done.pk, failed.pk, waiting.pk}
        assert ids(executed_by="nobody") == set()
        assert ids(trigger="Timer") == set()
        assert ids(template=failed.template_id) == {failed.pk}
        assert ids(created_after=done.created_at.isoformat()) == {done.pk, failed.pk, waiting.pk}
        assert ids(created_before=done.created_at.isoformat()) == {done.pk}
        assert ids(end_date_after=failed.end_date.isoformat()) == {failed.pk}
        assert ids(start_date_before=done.start_date.isoformat()) == {done.pk}
        assert_error(client.get(URL, {"status": "Sleeping"}), 400, "invalid")

    def test_tags(self, api, operator_a, started):
        tagged = started(SIMPLE, tags={"env": "prod"})
        started(SIMPLE, tags={"env": "dev"})
        rows = api.as_user(operator_a).get(URL, {"tag": "env:prod"}).json()["results"]
        assert [row["id"] for row in rows] == [tagged.pk] and rows[0]["tags"] == {"env": "prod"}
        assert len(api.get(URL, {"tag": "env"}).json()["results"]) == 2

    def test_child_executions_hidden_unless_asked(self, api, operator_a, started, make_template):
        make_template(SIMPLE, name="inner")
        parent = started(tpl({"Name": "nested", "Action": "ACS::Template", "Properties": {"TemplateName": "inner"}}))
        assert parent.status == "Success", parent.status_message
        child = Execution.objects.get(parent=parent)
        client = api.as_user(operator_a)
        rows = client.get(URL).json()["results"]
        assert [row["id"] for row in rows] == [parent.pk] and rows[0]["is_parent"] is True
        assert {row["id"] for row in client.get(URL, {"include_child_executions": "true"}).json()["results"]} == {
            parent.pk, child.pk}
        assert [row["id"] for row in client.get(URL, {"parent": parent.pk}).json()["results"]] == [child.pk]
        assert [row["id"] for row in client.get(URL, {"parent": "none"}).json()["results"]] == [parent.pk]
        detail = client.get(f"{URL}{child.pk}/").json()  # a child is still reachable by its URL
        assert detail["parent"] == parent.pk and detail["parent_task_execution"]

    def test_status_filter_adds_no_distinct(self, api, operator_a, started):
        """One read path: a status list is a plain ``IN`` (django-filter alone made it ``SELECT DISTINCT``)."""
        started(SIMPLE)
        with CaptureQueriesContext(connection) as queries:
            assert api.as_user(operator_a).get(URL, {"status": ["Success", "Failed"]}).status_code == 200
        listing = [q["sql"] for q in queries.captured_queries if "orchestration_execution" in q["sql"]]
        assert listing and not any("DISTINCT" in sql.upper() for sql in listing)

    def test_other_tenants_executions_are_not_listed(self, api, operator_a, started, foreign):
        mine = started(SIMPLE)
        assert [row["id"] for row in api.as_user(operator_a).get(URL).json()["results"]] == [mine.pk]


class TestCursorPagination:
    def test_pages_cover_every_row_once(self, api, operator_a, tenant_a, make_template):
        template = make_template(SIMPLE)
        made = [service.start_execution(tenant=tenant_a, user=operator_a, template=template).pk for _ in range(7)]
        client = api.as_user(operator_a)
        seen, url, pages = [], f"{URL}?page_size=3", 0
        while url:
            body = client.get(url).json()
            assert set(body) == {"next", "previous", "results"}
            seen += [row["id"] for row in body["results"]]
            url, pages = body["next"], pages + 1
        assert pages == 3 and seen == made[::-1]  # newest first
        # and back again from the last page
        last = client.get(f"{URL}?page_size=3").json()
        second = client.get(last["next"]).json()
        back = client.get(second["previous"]).json()
        assert [row["id"] for row in back["results"]] == [row["id"] for row in last["results"]]

    @pytest.mark.parametrize("ordering", ["status", "-status", "end_date", "-end_date", "start_date", "-created_at"])
    def test_ties_and_nulls_page_exactly(self, api, operator_a, tenant_a, make_template, ordering):
        template = make_template(SIMPLE)
        made = [service.start_execution(tenant=tenant_a, user=operator_a, template=template) for _ in range(6)]
        for execution in made[:3]:
            drive(execution)  # three Success with dates, three Queued without
        client = api.as_user(operator_a)
        seen, url = [], f"{URL}?page_size=2&ordering={ordering}"
        while url:
            body = client.get(url).json()
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert sorted(seen) == sorted(e.pk for e in made) and len(seen) == 6

    def test_bad_cursor(self, api, operator_a):
        assert_error(api.as_user(operator_a).get(f"{URL}?cursor=garbage"), 404)


class TestControl:
    def test_cancel(self, api, operator_a, started):
        waiting = started(APPROVAL)
        response = api.as_user(operator_a).post(f"{URL}{waiting.pk}/cancel/")
        assert response.status_code == 200, response.content
        assert response.json()["cancel_requested"] is True or response.json()["status"] == "Cancelled"
        assert drive(waiting).status == "Cancelled"
        again = api.post(f"{URL}{waiting.pk}/cancel/")  # cancelling a finished execution changes nothing
        assert again.status_code == 200 and again.json()["status"] == "Cancelled"

    def test_notify_approve(self, api, operator_a, started):
        waiting = started(APPROVAL)
        assert waiting.status_reason == "WaitingForApproval"
        client = api.as_user(operator_a)
        te = client.get(f"{URL}{waiting.pk}/task-executions/", {"status": "Waiting"}).json()["results"][0]
        response = client.post(f"{URL}{waiting.pk}/notify/",
                               {"notify_type": "Approve", "task_execution_id": te["id"], "note": "fine"})
        assert response.status_code == 200, response.content
        assert drive(waiting).status == "Success"
        approve = client.get(f"/api/v1/task-executions/{te['id']}/").json()
        assert approve["extra_data"]["notify_note"] == "fine"
        assert approve["extra_data"]["notifications"][0]["by"] == "oscar"

    def test_notify_errors(self, api, operator_a, started):
        waiting = started(APPROVAL)
        client = api.as_user(operator_a)
        body = assert_error(client.post(f"{URL}{waiting.pk}/notify/", {"notify_type": "Approve",
                                                                        "task_name": "after"}), 409, "conflict")
        assert "no task execution waiting" in body["message"]
        assert_error(client.post(f"{URL}{waiting.pk}/notify/", {"notify_type": "Bless"}), 400, "invalid")
        done = started(SIMPLE)
        assert_error(client.post(f"{URL}{done.pk}/notify/", {"notify_type": "Approve"}), 409, "conflict")

    def test_notify_complete_execution(self, api, operator_a, started):
        debug = started(tpl(record("one"), record("two")), mode="Debug")
        response = api.as_user(operator_a).post(
            f"{URL}{debug.pk}/notify/", {"notify_type": "CompleteExecution", "execution_status": "Failed",
                                         "note": "enough"})
        assert response.status_code == 200, response.content
        finished = drive(debug)
        assert finished.status == "Failed" and "enough" in finished.status_message

    def test_rerun_from_failed_step(self, api, operator_a, started):
        body = tpl(record("before"), {"Name": "flaky", "Action": "Test::Flaky",
                                       "Properties": {"Failures": 1, "Key": "api-rerun"}})
        failed = started(body)
        assert failed.status == "Failed"
        client = api.as_user(operator_a)
        response = client.post(f"{URL}{failed.pk}/rerun/", {"failed_items_only": True})
        assert response.status_code == 200 and response.json()["status"] == "Running"
        assert drive(failed).status == "Success"
        assert_error(client.post(f"{URL}{failed.pk}/rerun/", {}), 409, "conflict")  # no longer Failed

    def test_viewer_cannot_control(self, api, viewer_a, started):
        waiting = started(APPROVAL)
        failed = started(FAILING)
        client = api.as_user(viewer_a)
        assert_error(client.post(f"{URL}{waiting.pk}/cancel/"), 403)
        assert_error(client.post(f"{URL}{waiting.pk}/notify/", {"notify_type": "Approve"}), 403)
        assert_error(client.post(f"{URL}{failed.pk}/rerun/", {}), 403)
        assert_error(client.delete(f"{URL}{failed.pk}/"), 403)
        assert_error(client.post(f"{URL}delete/", {"ids": [failed.pk]}), 403)
        assert Execution.objects.get(pk=waiting.pk).cancel_requested is False
        assert Execution.objects.filter(pk=failed.pk).exists()
        assert client.get(f"{URL}{waiting.pk}/").status_code == 200  # reading is fine


class TestDelete:
    def test_delete_one(self, api, operator_a, started):
        done = started(SIMPLE)
        assert api.as_user(operator_a).delete(f"{URL}{done.pk}/").status_code == 204
        assert not Execution.objects.filter(pk=done.pk).exists()

    def test_delete_running_is_a_conflict(self, api, operator_a, started):
        waiting = started(APPROVAL)
        body = assert_error(api.as_user(operator_a).delete(f"{URL}{waiting.pk}/"), 409, "conflict")
        assert body["detail"]["error"] == "InvalidStatus.Execution" and "cancel it" in body["message"]
        assert Execution.objects.filter(pk=waiting.pk).exists()

    def test_bulk_delete(self, api, operator_a, started):
        first, second, waiting = started(SIMPLE), started(FAILING), started(APPROVAL)
        client = api.as_user(operator_a)
        assert_error(client.post(f"{URL}delete/", {"ids": [first.pk, waiting.pk]}), 409)
        assert Execution.objects.count() == 3  # all or nothing
        assert_error(client.post(f"{URL}delete/", {"ids": []}), 400)
        assert_error(client.post(f"{URL}delete/", {"ids": [f"exec-{i}" for i in range(101)]}), 400)
        assert_error(client.post(f"{URL}delete/", {"ids": [first.pk, "exec-nope"]}), 404, "not_found")
        response = client.post(f"{URL}delete/", {"ids": [first.pk, second.pk]})
        assert response.status_code == 200 and response.json() == {"deleted": 2}
        assert list(Execution.objects.values_list("pk", flat=True)) == [waiting.pk]


class TestNestedLists:
    def test_template_is_the_pinned_content(self, api, operator_a, started):
        done = started(SIMPLE)
        from templates_app.services.templates import update_template

        update_template(done.template, actor=SYSTEM, content=tpl(record("changed")))
        body = api.as_user(operator_a).get(f"{URL}{done.pk}/template/").json()
        assert body["template"] == done.template_id and body["template_version"] == "v1"
        assert json.loads(body["content"]) == SIMPLE

    def test_task_executions_and_loop_items(self, api, operator_a, started):
        loop = started(tpl(record("first"), {
            "Name": "each", "Action": "Test::Record", "Properties": {"Value": "{{ ACS::TaskLoopItem }}"},
            "Loop": {"Items": ["a", "b", "c"], "Concurrency": 2}}))
        assert loop.status == "Success", loop.status_message
        client = api.as_user(operator_a)
        url = f"{URL}{loop.pk}/task-executions/"
        top = client.get(url).json()["results"]
        assert [row["task_name"] for row in top] == ["first", "each"]  # run order, loop items hidden
        parent = top[1]
        assert parent["loop"]["total"] == 3 and parent["loop"]["succeeded"] == 3
        items = client.get(url, {"parent_task_execution": parent["id"]}).json()["results"]
        assert sorted(row["loop_item"] for row in items) == ["a", "b", "c"]
        assert [row["loop_item"] for row in client.get(url, {"loop_item": "b"}).json()["results"]] == ["b"]
        everything = client.get(url, {"include_child_task_executions": "true"}).json()["results"]
        assert len(everything) == 5
        assert [row["task_name"] for row in client.get(url, {"task_name": "first"}).json()["results"]] == ["first"]
        assert client.get(url, {"task_action": "ACS::Sleep"}).json()["results"] == []
        assert len(client.get(url, {"status": "Success", "parent_task_execution": "none"}).json()["results"]) == 2
        newest_first = client.get(url, {"ordering": "-created_at"}).json()["results"]
        assert [row["task_name"] for row in newest_first] == ["each", "first"]

    def test_top_level_task_executions_endpoint(self, api, operator_a, started, foreign):
        mine = started(SIMPLE)
        client = api.as_user(operator_a)
        rows = client.get("/api/v1/task-executions/").json()["results"]
        assert {row["execution"] for row in rows} == {mine.pk}
        assert len(client.get("/api/v1/task-executions/", {"execution": mine.pk}).json()["results"]) == 2
        assert client.get("/api/v1/task-executions/", {"execution": foreign.pk}).json()["results"] == []
        assert client.post("/api/v1/task-executions/", {}).status_code == 405

    def test_logs_follow_and_filter(self, api, operator_a, started):
        done = started(SIMPLE)
        client = api.as_user(operator_a)
        url = f"{URL}{done.pk}/logs/"
        logs = client.get(url, {"page_size": 1000}).json()["results"]
        assert len(logs) == ExecutionLog.objects.filter(execution=done).count() > 2
        assert [row["id"] for row in logs] == sorted(row["id"] for row in logs)  # oldest first
        later = client.get(url, {"after_id": logs[1]["id"]}).json()["results"]
        assert [row["id"] for row in later] == [row["id"] for row in logs[2:]]
        one = TaskExecution.objects.get(execution=done, task_name="one")
        by_task = client.get(url, {"task_execution": one.pk}).json()["results"]
        assert by_task and all(row["task_execution"] == one.pk for row in by_task)
        assert all(row["log_type"] == "Execution"
                   for row in client.get(url, {"log_type": "Execution"}).json()["results"])
        page = client.get(url, {"page_size": 2}).json()
        rest = client.get(page["next"]).json()
        assert [row["id"] for row in page["results"] + rest["results"]] == [row["id"] for row in logs[:4]]


ENDPOINTS = [
    ("get", ""), ("get", "template/"), ("get", "task-executions/"), ("get", "logs/"), ("delete", ""),
    ("post", "cancel/"), ("post", "notify/"), ("post", "rerun/"),
]


@pytest.mark.parametrize(("method", "suffix"), ENDPOINTS)
def test_other_tenants_execution_is_not_found(api, admin_a, foreign, method, suffix):
    client = api.as_user(admin_a)
    response = getattr(client, method)(f"{URL}{foreign.pk}/{suffix}", {"notify_type": "Approve"}
                                       if suffix == "notify/" else None, format="json")
    assert_error(response, 404, "not_found")
    assert Execution.objects.get(pk=foreign.pk).cancel_requested is False


def test_other_tenants_rows_are_not_found_elsewhere(api, admin_a, foreign):
    client = api.as_user(admin_a)
    te = TaskExecution.objects.filter(execution=foreign).first()
    assert_error(client.get(f"/api/v1/task-executions/{te.pk}/"), 404)
    assert_error(client.post(f"{URL}delete/", {"ids": [foreign.pk]}), 404)
    assert Execution.objects.filter(pk=foreign.pk).exists()


def test_anonymous_is_refused():
    from rest_framework.test import APIClient

    assert_error(APIClient().get(URL), 401)
