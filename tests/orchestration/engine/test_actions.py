"""Built-in actions: web hooks against a real local HTTP server, and this service's read API."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestration.models import ExecutionLog, TaskExecution
from orchestration.services.executions import start_execution

from .conftest import drive, tpl

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook_server():
    """A real HTTP server on loopback recording what it receives; /fail answers 500."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append({"path": self.path, "headers": dict(self.headers), "body": body.decode()})
            status = 500 if self.path == "/fail" else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if status == 200 else b"boom")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


@pytest.fixture
def run(tenant_a, operator_a, make_template):
    def run(body, **options):
        execution = start_execution(tenant=tenant_a, user=operator_a, template=make_template(body),
                                    safety_check="Skip", **options)
        return drive(execution)

    return run


def test_notify_posts_rendered_json_with_headers(run, hook_server):
    url, received = hook_server
    execution = run(tpl({"Name": "tell", "Action": "ACS::Notify", "Properties": {
        "NotifyType": "WebHook",
        "WebHook": {"URI": f"{url}/hook", "Headers": {"X-Token": "t0k"},
                    "Content": {"text": "execution {{ ACS::ExecutionId }} says {{ Msg }}"}}},
        "Outputs": {"code": {"ValueSelector": ".StatusCode", "Type": "Number"}}},
        parameters={"Msg": {"Type": "String", "Default": "hi"}}))
    assert execution.status == "Success", execution.status_message
    assert received[0]["headers"]["X-Token"] == "t0k"
    assert json.loads(received[0]["body"]) == {"text": f"execution {execution.pk} says hi"}
    assert TaskExecution.objects.get(execution=execution).outputs == {"code": 200}


def test_notify_retries_then_fails_clearly(run, hook_server):
    url, received = hook_server
    execution = run(tpl({"Name": "tell", "Action": "ACS::Notify", "Properties": {
        "NotifyType": "WebHook", "WebHook": {"URI": f"{url}/fail", "Retries": 1, "Timeout": 2}}}))
    assert execution.status == "Failed"
    assert len(received) == 2
    message = TaskExecution.objects.get(execution=execution).status_message
    assert "failed after 2 attempt(s)" in message and "500" in message


def test_execute_api_wait_for_and_check_for_read_this_service(run, tenant_a, operator_a, make_template):
    first = run(tpl({"Name": "x", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}))
    execution = run(tpl(
        {"Name": "list", "Action": "ACS::ExecuteAPI",
         "Properties": {"API": "ListExecutions", "Parameters": {"ExecutionId": first.pk}},
         "Outputs": {"status": {"ValueSelector": ".Executions[0].Status", "Type": "String"}}},
        {"Name": "wait", "Action": "ACS::WaitFor",
         "Properties": {"API": "GetExecution", "Parameters": {"ExecutionId": first.pk},
                        "PropertySelector": ".Executions[0].Status", "DesiredValues": ["Success"]}},
        {"Name": "check", "Action": "ACS::CheckFor",
         "Properties": {"API": "ListTemplates", "Parameters": {"TemplateName": "ACS-VSphere-CloneVMs"},
                        "PropertySelector": ".Templates | length", "DesiredValues": [1]}},
    ))
    assert execution.status == "Success", execution.status_message
    assert TaskExecution.objects.get(execution=execution, task_name="list").outputs == {"status": "Success"}


def test_wait_for_gives_up_after_max_retries(run):
    execution = run(tpl({"Name": "wait", "Action": "ACS::WaitFor", "Properties": {
        "API": "ListExecutions", "Parameters": {"Status": "Running", "TemplateName": "nothing-like-this"},
        "PropertySelector": ".Executions | length", "DesiredValues": [1], "MaxRetries": 2, "RetryInterval": 1}}))
    assert execution.status == "Failed"
    assert "still 0 after 3 polls" in TaskExecution.objects.get(execution=execution).status_message


def test_execute_api_unknown_operation(run):
    """A literal unknown operation is refused when the template is saved; one that only a
    parameter names fails the task with the list of what can be called."""
    execution = run(tpl({"Name": "x", "Action": "ACS::ExecuteAPI", "Properties": {"API": "{{ api }}"}},
                        parameters={"api": {"Type": "String", "Default": "DropDatabase"}}))
    assert execution.status == "Failed"
    message = TaskExecution.objects.get(execution=execution).status_message
    assert "no read operation OOS:DropDatabase" in message
    assert ExecutionLog.objects.filter(execution=execution, log_type="Error").exists()


def test_execute_api_accepts_the_http_form_and_reads_child_executions(run):
    """OOS's Method/URI/Headers/Body/Risk are accepted; the call runs on its Parameters
    (ListExecutions by ParentExecutionId, as Alibaba's templates page through children)."""
    parent = run(tpl({"Name": "x", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}))
    execution = run(tpl({"Name": "list", "Action": "ACS::ExecuteApi", "Properties": {
        "Service": "OOS", "API": "ListExecutions", "Method": "GET", "URI": "/executions", "Risk": "Normal",
        "Headers": {"Accept": "application/json"}, "Body": "", "Parameters": {"ParentExecutionId": parent.pk}},
        "Outputs": {"n": {"ValueSelector": ".Executions | length", "Type": "Number"}}}))
    assert execution.status == "Success", execution.status_message
    assert TaskExecution.objects.get(execution=execution).outputs == {"n": 0}
    assert ExecutionLog.objects.filter(execution=execution, message__contains="Method, URI, Headers not used").exists()
