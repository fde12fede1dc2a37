"""Execution page tools: times and durations, loop progress, task outputs, run again, log exports."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

import tests.orchestration.engine.conftest  # noqa: F401  (registers Test::Flaky)
from orchestration.authorization import SYSTEM
from orchestration.console import log_lines
from orchestration.models import AuditEvent, Execution, ExecutionLog, ExecutionStatus
from orchestration.services import executions as service
from templates_app.services.templates import create_template, delete_template
from tests.console.conftest import drive
from tests.orchestration.engine.conftest import FAILURES

pytestmark = pytest.mark.django_db

GREET = """FormatVersion: OOS-2019-06-01
Parameters:
  Name:
    Type: String
    Default: world
Tasks:
  - Name: greet
    Action: Test::Flaky
    Properties:
      Key: 'greet-{{ ACS::ExecutionId }}'
      Value: 'hello {{ Name }}'
    Outputs:
      Greeting:
        Type: String
        ValueSelector: .Value
  - Name: rest
    Action: ACS::Sleep
    Properties:
      Duration: PT0S
"""


SLOW = """FormatVersion: OOS-2019-06-01
Tasks:
  - Name: nap
    Action: ACS::Sleep
    Properties:
      Duration: PT1H
"""


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def greeted(tenant_a, operator_a) -> Execution:
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="greet", content=GREET)
    execution = service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                        parameters={"Name": "ops"}, safety_check="Skip")
    execution = drive(execution.pk)
    assert execution.status == ExecutionStatus.SUCCESS
    return execution


@pytest.fixture
def theirs(tenant_b, admin_b) -> Execution:
    template = create_template(tenant=tenant_b, actor=SYSTEM, name="theirs", content=GREET)
    return drive(service.start_execution(tenant=tenant_b, user=admin_b, template=template, safety_check="Skip").pk)


def test_times_durations_and_task_outputs_are_shown(operator_a, greeted, client_as):
    page = text(client_as(operator_a).get(f"/console/executions/{greeted.pk}/"))
    start = greeted.start_date.strftime("%Y-%m-%d %H:%M:%S")
    assert re.search(rf'id="exec-start"><time datetime="[^"]+" title="{start} UTC">[^<]* ago</time>', page)
    assert re.search(r'id="exec-duration"><span class="duration" title="[^"]+UTC → [^"]+UTC">\d+ (ms|s)</span>', page)
    assert '<details class="task-outputs"><summary>Outputs of greet</summary>' in page
    assert '&quot;Greeting&quot;: &quot;hello ops&quot;' in page


def test_loop_progress_counts_done_failed_and_total(tenant_a, operator_a, client_as):
    body_ = {"FormatVersion": "OOS-2019-06-01", "Tasks": [{
        "Name": "each", "Action": "Test::Flaky",
        "Properties": {"Failures": 1, "Key": "tools-{{ ACS::TaskLoopItem }}"},
        "Loop": {"Items": ["ok1", "bad", "ok2", "ok3"], "Concurrency": 2, "MaxErrors": 0}}]}
    FAILURES.update({"tools-ok1": 1, "tools-ok2": 1, "tools-ok3": 1})
    try:
        template = create_template(tenant=tenant_a, actor=SYSTEM, name="loop4", content=json.dumps(body_))
        execution = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                                  safety_check="Skip").pk)
    finally:
        for key in ("tools-ok1", "tools-ok2", "tools-ok3", "tools-bad"):
            FAILURES.pop(key, None)
    page = text(client_as(operator_a).get(f"/console/executions/{execution.pk}/live/"))
    done = execution.task_executions.filter(parent_task_execution__isnull=False, status="Success").count()
    assert f"{done} done · 1 failed · 4 total" in page
    assert 'class="progress-failed" style="width: 25.0%"' in page


def test_run_again_starts_the_same_version_with_the_same_parameters(operator_a, greeted, client_as):
    client = client_as(operator_a)
    assert 'value="run-again"' in client.get(f"/console/executions/{greeted.pk}/").content.decode()
    response = client.post(f"/console/executions/{greeted.pk}/act/", {"action": "run-again"})
    again = Execution.objects.exclude(pk=greeted.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/console/executions/{again.pk}/"
    assert (again.parameters, again.template_version, again.mode) == ({"Name": "ops"}, "v1", greeted.mode)
    assert again.executed_by == operator_a.username
    event = AuditEvent.objects.get(action="execution-act.run-again")
    assert event.result == "success" and event.actor == operator_a.username


def test_run_again_after_the_template_was_deleted_uses_the_snapshot(operator_a, greeted, client_as):
    delete_template(greeted.template, actor=SYSTEM)
    client_as(operator_a).post(f"/console/executions/{greeted.pk}/act/", {"action": "run-again"})
    again = Execution.objects.exclude(pk=greeted.pk).get()
    assert again.template_content == greeted.template_content and again.parameters == {"Name": "ops"}


def test_run_again_refuses_a_running_execution_and_a_viewer(operator_a, viewer_a, tenant_a, client_as):
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="slow", content=SLOW)
    running = service.start_execution(tenant=tenant_a, user=operator_a, template=template, safety_check="Skip")
    response = client_as(operator_a).post(f"/console/executions/{running.pk}/act/", {"action": "run-again"})
    assert response.status_code == 409 and "only a finished execution" in response.content.decode()
    assert client_as(viewer_a).post(f"/console/executions/{running.pk}/act/",
                                    {"action": "run-again"}).status_code == 403
    assert Execution.objects.count() == 1


def test_logs_download_as_text_and_json_lines_streamed(operator_a, greeted, client_as):
    client = client_as(operator_a)
    response = client.get(f"/console/executions/{greeted.pk}/logs/download/", {"format": "text"})
    assert response.streaming and response["Content-Disposition"] == f'attachment; filename="{greeted.pk}.log"'
    lines = body(response).splitlines()
    assert len(lines) == ExecutionLog.objects.filter(execution=greeted).count()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[\w+\] ", lines[0])
    response = client.get(f"/console/executions/{greeted.pk}/logs/download/", {"format": "jsonl"})
    assert response["Content-Type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in body(response).splitlines()]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert {"id", "time", "type", "task", "message"} == set(records[0])
    assert any(r["task"] == "greet" for r in records)
    raw = client.get(f"/console/executions/{greeted.pk}/logs/raw/")
    assert raw["Content-Type"].startswith("text/plain") and "Content-Disposition" not in raw
    assert body(raw).splitlines() == lines


def test_download_pages_through_the_log_by_keyset(operator_a, greeted, client_as):
    now = greeted.end_date
    ExecutionLog.objects.bulk_create(ExecutionLog(execution=greeted, created_at=now, message=f"line {i}")
                                     for i in range(45))
    rows = log_lines.lines_of(operator_a, greeted)
    total = rows.count()
    seen = [line["id"] for line in log_lines.keyset(rows, batch=10)]
    assert len(seen) == total == len(set(seen)) and seen == sorted(seen)


def test_log_pane_pages_older_and_opens_at_a_permalinked_line(operator_a, greeted, client_as, monkeypatch):
    monkeypatch.setattr(log_lines, "WINDOW", 10)
    now = greeted.end_date
    made = ExecutionLog.objects.bulk_create(ExecutionLog(execution=greeted, created_at=now, message=f"bulk {i}")
                                            for i in range(30))
    client = client_as(operator_a)
    page = text(client.get(f"/console/executions/{greeted.pk}/"))
    assert "bulk 29" in page and "bulk 19" not in page and "Show older lines" in page
    first_shown = min(int(i) for i in re.findall(r'id="log-(\d+)"', page))
    older = text(client.get(f"/console/executions/{greeted.pk}/logs/", {"before": first_shown}))
    assert "bulk 19" in older and "bulk 10" in older and "bulk 20" not in older
    target = made[5].id
    linked = text(client.get(f"/console/executions/{greeted.pk}/", {"line": target}))
    assert f'id="log-{target}" class="log log-execution log-highlight"' in linked
    assert "Show newer lines" in linked and "bulk 29" not in linked
    assert f'href="/console/executions/{greeted.pk}/?line={target}#log-{target}"' in linked


def test_log_pane_escapes_what_a_line_says_and_shows_its_time(operator_a, greeted, client_as, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    hostile = ExecutionLog.objects.create(
        execution=greeted, created_at=dt.datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=dt.UTC),
        message='<script>alert("x")</script> & \'quoted\'')
    page = text(client_as(operator_a).get(f"/console/executions/{greeted.pk}/logs/", {"line": hostile.id}))
    assert "<script>" not in page
    assert (f'<li id="log-{hostile.id}" class="log log-execution log-highlight">' in page)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;" in page
    assert ('<time datetime="2026-12-02T09:02:03.456789+08:00" title="2026-12-02 09:02:03.456789 CST">'
            "09:02:03</time>") in page  # the active time zone, as the date filters showed it
    assert '<code class="log-task">greet</code>' in page  # lines of a task name it


@pytest.mark.parametrize("query", [{"format": "xml"}, {"before": "abc"}, {"after": "-1"}, {"line": "9" * 30}])
def test_bad_log_parameters_are_clear_errors(operator_a, greeted, client_as, query):
    client = client_as(operator_a)
    path = "logs/download/" if "format" in query else "logs/"
    response = client.get(f"/console/executions/{greeted.pk}/{path}", query)
    assert response.status_code == 400
    assert "must be" in response.content.decode()


def test_other_tenants_logs_and_run_again_are_not_found(operator_a, theirs, client_as):
    client = client_as(operator_a)
    for path in ("logs/download/", "logs/raw/", "logs/?after=0"):
        assert client.get(f"/console/executions/{theirs.pk}/{path}").status_code == 404
    assert client.post(f"/console/executions/{theirs.pk}/act/", {"action": "run-again"}).status_code == 404
    assert Execution.objects.count() == 1


def test_run_again_renders_expression_defaults_anew(operator_a, tenant_a, client_as):
    content = GREET.replace("    Default: world\n", "    Default: world\n  RunId:\n    Type: String\n"
                            "    Default: '{{ ACS::ExecutionId }}'\n")
    template = create_template(tenant=tenant_a, actor=SYSTEM, name="with-id", content=content)
    first = drive(service.start_execution(tenant=tenant_a, user=operator_a, template=template,
                                          safety_check="Skip").pk)
    assert first.parameters["RunId"] == first.pk
    client_as(operator_a).post(f"/console/executions/{first.pk}/act/", {"action": "run-again"})
    again = Execution.objects.exclude(pk=first.pk).get()
    assert again.parameters == {"Name": "world", "RunId": again.pk}
