import copy

from templates_app.language.analysis import execution_policy, risky_tasks
from templates_app.language.baidu import from_baidu, to_baidu
from templates_app.language.model import ParsedTemplate
from templates_app.language.validation import validate

SEED_TEMPLATE = {
    "name": "test_oos_template",
    "type": "INDIVIDUAL",
    "tags": [],
    "linear": True,
    "links": [],
    "operators": [
        {
            "name": "stop_bcc",
            "operator": "BCE::BCC::StopInstance",
            "retries": 0,
            "retryInterval": 60000,
            "timeout": 3600000,
            "manually": False,
            "scheduleDelayMilli": 0,
            "pauseOnFailure": False,
            "properties": {"instanceId": {"Ref": "instanceId"}, "instances": [{"instanceId": "i-kK"}]},
            "initContext": {},
        }
    ],
    "properties": [],
}


def test_seed_template_round_trips_and_validates():
    internal = from_baidu(copy.deepcopy(SEED_TEMPLATE))
    task = internal["Tasks"][0]
    assert (task["Action"], task["RetryInterval"], task["Timeout"], task["X-Baidu"]) == (
        "BCE::BCC::StopInstance", 60, 3600, {"initContext": {}})
    assert to_baidu(internal) == SEED_TEMPLATE
    result = validate(internal)
    assert result.problems == []
    assert result.parsed.tasks[0].timeout == 3600.0


def test_links_become_next_and_back():
    template = {
        "name": "dag", "linear": False,
        "operators": [
            {"name": "a", "operator": "BCE::BCC::StopInstance", "properties": {"instances": [{"instanceId": "1"}]},
             "retryInterval": 1500},
            {"name": "b", "operator": "BCE::BCC::StartInstance", "properties": {"instances": [{"instanceId": "1"}]}},
            {"name": "c", "operator": "BCE::BCC::StartInstance"},
        ],
        "links": [{"src": "a", "dst": "b"}, {"src": "a", "dst": "c"}],
    }
    internal = from_baidu(copy.deepcopy(template))
    assert internal["Tasks"][0]["Next"] == ["b", "c"]
    assert internal["Tasks"][0]["RetryInterval"] == 1.5
    assert to_baidu(internal) == template
    result = validate(internal)
    assert [str(p) for p in result.problems] == ["Tasks[2].Properties: {} is not valid under any of the given schemas"]


def test_dag_cycle_detected():
    template = {
        "name": "loop", "linear": False,
        "operators": [{"name": n, "operator": "BCE::BCC::StartInstance", "properties": {"instanceId": "x"}}
                      for n in ("a", "b")],
        "links": [{"src": "a", "dst": "b"}, {"src": "b", "dst": "a"}],
    }
    places = {p.place for p in validate(from_baidu(template)).problems}
    assert "Tasks[1].Next[0]" in places  # the back edge
    assert {"Tasks[0]", "Tasks[1]"} <= places  # no root: nothing reachable


def _parsed(tasks):
    data = {"FormatVersion": "OOS-2019-06-01", "Tasks": tasks}
    result = validate(data)
    assert result.problems == []
    return result.parsed


CHILD = [
    {"Name": "childstop", "Action": "ACS::VSphere::StopVM", "Properties": {"VMNames": ["a"]}},
    {"Name": "childsnap", "Action": "ACS::VSphere::CreateVMSnapshot",
     "Properties": {"VMNames": ["a"], "SnapshotName": "s"}},
    {"Name": "again", "Action": "ACS::Template", "Properties": {"TemplateName": "child"}},
]
ROOT = [
    {"Name": "parenttask1", "Action": "ACS::Template",
     "Properties": {"TemplateName": "child", "TemplateVersion": "v2"}},
    {"Name": "task3", "Action": "ACS::VSphere::DestroyVM", "Properties": {"VMIds": ["vm-1"]}},
    {"Name": "query", "Action": "ACS::ExecuteAPI", "Properties": {"Service": "OOS", "API": "ListExecutions"}},
]


def test_risky_tasks_through_nested_template():
    calls = []

    def resolve(name, version):
        calls.append((name, version))
        return _parsed(CHILD) if name == "child" else None

    risky = risky_tasks(_parsed(ROOT), resolve, template_name="root")
    assert risky == [
        {"Service": "VSphere", "API": "DestroyVM", "Task": ["task3"], "Template": ["root"]},
        {"Service": "VSphere", "API": "PowerOffVM", "Task": ["parenttask1", "childstop"],
         "Template": ["root", "child"]},
    ]
    assert calls == [("child", "v2")]  # the child nesting itself is not followed again


def test_execution_policy_shape():
    policy = execution_policy(_parsed(ROOT), lambda n, v: _parsed(CHILD), template_name="root")
    assert policy["Version"] == "1"
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    assert statement["Action"] == sorted([
        "oos:GetTemplate", "oos:ListExecutions", "oos:StartExecution", "vsphere:CreateSnapshot",
        "vsphere:DescribeVMs", "vsphere:DestroyVM", "vsphere:PowerOffVM",
    ])


def test_unresolvable_nested_template_is_skipped():
    assert risky_tasks(_parsed(ROOT[:1]), lambda n, v: None) == []
    assert isinstance(_parsed(ROOT[:1]), ParsedTemplate)
