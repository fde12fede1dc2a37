"""Rules only an action can check in its task: which services a call reaches, where a trigger stands."""
from __future__ import annotations

import pytest

from templates_app.language.validation import validate

pytestmark = pytest.mark.django_db


def template(*tasks, parameters=None) -> dict:
    body = {"FormatVersion": "OOS-2019-06-01", "Tasks": list(tasks)}
    if parameters:
        body["Parameters"] = parameters
    return body


def problems(body) -> dict[str, str]:
    return {p.place: p.message for p in validate(body).problems}


def call(**properties) -> dict:
    return {"Name": "call", "Action": "ACS::ExecuteAPI", "Properties": properties}


def test_execute_api_accepts_oos_http_properties():
    body = template(call(Service="OOS", API="ListExecutions", Method="PUT", URI="/x", Headers={"A": "b"},
                         Body={"k": 1}, Risk="Normal", Parameters=None))
    assert problems(body) == {}


def test_another_clouds_api_is_refused_at_its_place():
    found = problems(template(call(Service="ECS", API="DeleteInstance", Parameters={"InstanceId": "i-1"})))
    message = found["Tasks[0].Properties.Service"]
    assert "ECS is an Alibaba Cloud service" in message and "OOS:ListExecutions" in message
    found = problems(template({"Name": "w", "Action": "ACS::WaitFor", "Properties": {
        "Service": "CS", "API": "DescribeClusterDetail", "PropertySelector": ".state", "DesiredValues": ["running"]}}))
    assert "CS is an Alibaba Cloud service" in found["Tasks[0].Properties.Service"]


def test_unknown_operation_of_this_service_is_refused():
    found = problems(template(call(Service="OOS", API="StartExecution")))
    assert found == {"Tasks[0].Properties.API": found["Tasks[0].Properties.API"]}
    assert "OOS:StartExecution is not a read operation" in found["Tasks[0].Properties.API"]
    assert problems(template(call(Service="vsphere", API="DescribeVMs"))) == {}


def test_calls_named_by_expressions_are_left_to_the_engine():
    body = template(call(Service="{{ svc }}", API="{{ api }}"),
                    parameters={"svc": {"Type": "String"}, "api": {"Type": "String"}})
    assert problems(body) == {}
    assert "Tasks[0].Properties.Method" in problems(template(call(API="ListExecutions", Method="FETCH")))


def timer(**properties) -> dict:
    return {"Name": "timer", "Action": "ACS::TimerTrigger", "Properties": properties}


SLEEP = {"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}


def test_timer_trigger_accepts_oos_properties_and_must_come_first():
    good = timer(Type="cron", Expression="0 0 12 ? * *", TimeZone="Asia/Shanghai", EndDate="2030-12-29T09:19:30Z")
    assert problems(template(good, SLEEP)) == {}
    found = problems(template(SLEEP, good))
    assert "one trigger action, in its first task" in found["Tasks[1].Action"]


def test_timer_trigger_literal_schedule_is_checked_at_its_place():
    found = problems(template(timer(Type="rate", Expression="5 weeks", EndDate="2030-01-01"), SLEEP))
    assert found == {"Tasks[0].Properties.Expression": "'5 weeks' is not a rate such as '30 minutes', '1 hour' "
                                                       "or '2 days'"}
    found = problems(template(timer(Type="cron", Expression="0 0 12 ? * *"), SLEEP))
    assert "required for a cron timer" in found["Tasks[0].Properties.EndDate"]
    assert "Tasks[0].Properties.Type" in problems(template(timer(Type="hourly", Expression="1"), SLEEP))
    parameterised = template(timer(Type="cron", Expression="{{ cron }}", EndDate="{{ end }}"), SLEEP,
                             parameters={"cron": {"Type": "String"}, "end": {"Type": "String"}})
    assert problems(parameterised) == {}
