"""The engine on real django-q2 workers: precise wake-ups, and surviving a SIGKILLed worker."""
from __future__ import annotations

import time
from collections import Counter

import pytest

from orchestration.models import Execution, ExecutionLog, TaskExecution
from orchestration.services.executions import start_execution

from .conftest import tpl
from .workers import Processes, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes():
    procs = Processes()
    yield procs
    procs.stop_all()


def finished(execution_id: str):
    execution = Execution.objects.get(pk=execution_id)
    return execution if execution.is_finished else None


def test_sleep_wakes_up_within_a_second(tenant_a, operator_a, make_template, processes):
    processes.start_worker()
    processes.start_ticker()
    template = make_template(tpl({"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT2S"}},
                                 {"Name": "after", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}},
                                 # jq runs in a child process of the (daemonic) worker
                                 outputs={"N": {"Type": "Number", "Value": {"Fn::Jq": ["First", ".a", '{"a": 3}']}}}))
    execution = start_execution(tenant=tenant_a, user=operator_a, template=template)
    execution = wait_for(lambda: finished(execution.pk), timeout=30)
    assert execution.status == "Success", execution.status_message
    assert execution.outputs == {"N": 3}
    nap = TaskExecution.objects.get(execution=execution, task_name="nap")
    after = TaskExecution.objects.get(execution=execution, task_name="after")
    slept = (nap.end_date - nap.start_date).total_seconds()
    assert 2.0 <= slept < 3.0, slept
    assert (after.start_date - nap.end_date).total_seconds() < 1.0


def test_killed_worker_mid_loop_loses_nothing(tenant_a, operator_a, make_template, processes):
    """SIGKILL the whole worker cluster in the middle of a loop, start a new one: every item
    runs exactly once and every log line is there."""
    items = list(range(300))
    template = make_template(tpl(
        {"Name": "each", "Action": "ACS::Sleep", "Properties": {"Duration": "PT1S"},
         "Loop": {"Items": items, "Concurrency": 50, "MaxErrors": 0}},
        {"Name": "done", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}},
    ))
    processes.start_worker("first")
    processes.start_ticker()
    execution = start_execution(tenant=tenant_a, user=operator_a, template=template)

    def some_items_done():
        return TaskExecution.objects.filter(execution=execution, status="Success",
                                            parent_task_execution__isnull=False).count() >= 60

    wait_for(some_items_done, timeout=60)
    processes.kill("first")
    in_flight = TaskExecution.objects.filter(execution=execution, status="Running").count()
    assert in_flight > 0  # killed mid-loop, with items running
    time.sleep(0.5)
    processes.start_worker("second")
    execution = wait_for(lambda: finished(execution.pk), timeout=90, interval=0.3)

    assert execution.status == "Success", execution.status_message
    children = TaskExecution.objects.filter(execution=execution, parent_task_execution__isnull=False)
    runs = Counter(children.values_list("loop_index", flat=True))
    assert sorted(runs) == items and set(runs.values()) == {1}, "every item exactly once"
    assert set(children.values_list("tries", flat=True)) == {1}, "no item started twice"
    assert set(children.values_list("status", flat=True)) == {"Success"}
    logs = Counter(ExecutionLog.objects.filter(execution=execution).values_list("task_execution_id", "message"))
    assert all(n == 1 for n in logs.values()), "no duplicated log line"
    started = {te for (te, message) in logs if message.startswith("Task each started")}
    assert started == set(children.values_list("id", flat=True)), "a start log line for every item"
    assert ("Execution success." in {m for (_, m) in logs})
