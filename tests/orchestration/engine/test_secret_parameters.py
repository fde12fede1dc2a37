"""``{{ oos:Name }}`` and ``{{ oos-secret:Name }}`` in running templates: resolved from the
tenant's store, the secret handed to the action only, and its value stored nowhere — not in
the execution's rows, its logs, its outputs, its error messages, the API or the console."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from orchestration.authorization import SYSTEM
from orchestration.models import Execution, TaskExecution, Tenant
from orchestration.services import parameters
from orchestration.services.executions import start_execution

from .conftest import drive, tpl
from .workers import Processes, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Tr0ub4dor&3-horse-battery"


@pytest.fixture
def store(tenant_a):
    parameters.create(tenant=tenant_a, actor=SYSTEM, name="greeting", type="String", value="hello", secret=False)
    parameters.create(tenant=tenant_a, actor=SYSTEM, name="app/hosts", type="StringList", value="a,b",
                      secret=False)
    parameters.create(tenant=tenant_a, actor=SYSTEM, name="NapDuration", type="String", value="PT1S", secret=False)
    parameters.create(tenant=tenant_a, actor=SYSTEM, name="db/password", value=SECRET, secret=True)


def rows_holding(text: str, execution_id: str) -> list[str]:
    """Every row of the execution, its task executions and logs whose text (any column) holds ``text``."""
    found = []
    with connection.cursor() as cursor:
        for table, column in (("orchestration_execution", "id"), ("orchestration_taskexecution", "execution_id"),
                              ("orchestration_executionlog", "execution_id")):
            cursor.execute(f"SELECT t::text FROM {table} t WHERE {column} = %s", [execution_id])
            found += [f"{table}: {row[0][:200]}" for row in cursor.fetchall() if text in row[0]]
    return found


def answers_of(execution: Execution, users) -> dict[str, str]:
    """The API's and the console's pages about the execution, as text."""
    admin, operator = users
    client = Client()
    client.force_login(operator)
    pages = {}
    for url in (f"/api/v1/executions/{execution.pk}/", f"/api/v1/executions/{execution.pk}/task-executions/",
                f"/api/v1/executions/{execution.pk}/logs/", f"/console/executions/{execution.pk}/",
                f"/console/executions/{execution.pk}/logs/"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[url] = response.content.decode()
    return pages


def test_references_resolve_and_the_secret_reaches_only_the_action(tenant_a, operator_a, admin_a, store,
                                                                  make_template):
    template = make_template(tpl(
        {"Name": "record", "Action": "Test::Record",
         "Properties": {"Value": "pw={{ oos-secret:db/password }} to {{ oos:greeting }}",
                        "Hosts": "{{ oos:app/hosts }}", "Whole": "{{ oos-secret:db/password }}"},
         "Outputs": {"Echo": {"Type": "String", "ValueSelector": ".Value"},
                     "Seen": {"Type": "Json", "ValueSelector": ".Properties"}}},
        outputs={"Echo": {"Type": "String", "Value": "{{ record.Echo }}"},
                 "Reference": {"Type": "String", "Value": "{{ oos-secret:db/password }}"}},
    ))
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=template))
    assert execution.status == "Success", execution.status_message

    record = TaskExecution.objects.get(execution=execution, task_name="record")
    # stored: the reference, never the value
    assert record.properties == {"Value": "pw={{ oos-secret:db/password }} to hello", "Hosts": ["a", "b"],
                                 "Whole": "{{ oos-secret:db/password }}"}
    # the action saw the value (it echoed it), and what it answered was masked before it was stored
    assert record.outputs["Echo"] == "pw=****** to hello"
    assert record.outputs["Seen"]["Whole"] == "******"
    assert execution.outputs == {"Echo": "pw=****** to hello", "Reference": "{{ oos-secret:db/password }}"}
    messages = list(execution.logs.values_list("message", flat=True))
    assert "recorded 'pw=****** to hello'" in messages
    assert execution.state["secrets"] == {"db/password": 1}, "the name and version, not the value"

    assert rows_holding(SECRET, execution.pk) == []
    leaks = {url: SECRET in text for url, text in answers_of(execution, (admin_a, operator_a)).items()}
    assert not any(leaks.values()), leaks
    assert "pw=****** to hello" in answers_of(execution, (admin_a, operator_a))[
        f"/api/v1/executions/{execution.pk}/task-executions/"]


def test_a_child_execution_gets_the_reference_and_its_action_the_value(tenant_a, operator_a, store, make_template):
    make_template(tpl({"Name": "record", "Action": "Test::Record", "Properties": {"Value": "{{ Password }}"},
                       "Outputs": {"Echo": {"Type": "String", "ValueSelector": ".Value"}}},
                      parameters={"Password": {"Type": "String"}},
                      outputs={"Echo": {"Type": "String", "Value": "{{ record.Echo }}"}}), name="child")
    parent = make_template(tpl({"Name": "nested", "Action": "ACS::Template", "Properties": {
        "TemplateName": "child", "Parameters": {"Password": "{{ oos-secret:db/password }}"}}}))
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=parent))
    assert execution.status == "Success", execution.status_message
    child = Execution.objects.get(parent=execution)
    assert child.parameters == {"Password": "{{ oos-secret:db/password }}"}
    assert child.outputs == {"Echo": "******"}, "the child's action got the value; the child masked it"
    assert rows_holding(SECRET, execution.pk) == [] and rows_holding(SECRET, child.pk) == []


def test_an_unknown_name_fails_the_task_with_a_clear_message(tenant_a, operator_a, store, make_template):
    template = make_template(tpl({"Name": "record", "Action": "Test::Record",
                                  "Properties": {"Value": "{{ oos-secret:no/such }}"}}))
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=template))
    assert execution.status == "Failed"
    assert execution.status_message == (
        "Task record failed: Properties: unknown parameter 'oos-secret:no/such' "
        "(the tenant has no such secret parameter)")


def test_another_tenants_parameters_are_unknown(tenant_a, operator_a, store, make_template):
    other = Tenant.objects.create(name="Globex")
    parameters.create(tenant=other, actor=SYSTEM, name="theirs", type="String", value="x", secret=False)
    template = make_template(tpl({"Name": "record", "Action": "Test::Record",
                                  "Properties": {"Value": "{{ oos:theirs }}"}}))
    execution = drive(start_execution(tenant=tenant_a, user=operator_a, template=template))
    assert execution.status == "Failed" and "unknown parameter 'oos:theirs'" in execution.status_message


def test_on_real_workers_the_secret_is_masked_in_the_error_it_caused(tenant_a, operator_a, admin_a, store,
                                                                     make_template):
    """The failing call quotes its input (the secret): the task's message, the execution's and the log
    line show ``******``; the plain parameter sets the Sleep's duration."""
    template = make_template(tpl(
        {"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "{{ oos:NapDuration }}"}},
        {"Name": "call", "Action": "ACS::ExecuteAPI", "Properties": {"API": "{{ oos-secret:db/password }}"}},
    ))
    processes = Processes()
    try:
        processes.start_worker()
        processes.start_ticker()
        execution = start_execution(tenant=tenant_a, user=operator_a, template=template)
        execution = wait_for(lambda: Execution.objects.filter(pk=execution.pk, status__in=["Success", "Failed"])
                             .first(), timeout=60, what="the execution to end")
    finally:
        processes.stop_all()
    assert execution.status == "Failed"
    assert execution.status_message.startswith("Task call failed: no read operation OOS:******;")
    nap = TaskExecution.objects.get(execution=execution, task_name="nap")
    assert nap.status == "Success" and 1.0 <= (nap.end_date - nap.start_date).total_seconds() < 2.5
    call = TaskExecution.objects.get(execution=execution, task_name="call")
    assert call.properties == {"API": "{{ oos-secret:db/password }}"}
    assert rows_holding("OOS:******", execution.pk), "the error was stored, masked"
    assert rows_holding(SECRET, execution.pk) == []
    leaks = {url: SECRET in text for url, text in answers_of(execution, (admin_a, operator_a)).items()}
    assert not any(leaks.values()), leaks
