import jsonschema
import pytest

from orchestration.actions import ACTION_TYPES, Action, all_actions, get_action, register

REQUIRED = [
    "ACS::Sleep", "ACS::WaitFor", "ACS::CheckFor", "ACS::Choice", "ACS::Approve", "ACS::Notify", "ACS::Template",
    "ACS::ExecuteAPI", "ACS::VSphere::StartVM", "ACS::VSphere::StopVM", "ACS::VSphere::ShutdownVMGuest",
    "ACS::VSphere::RebootVMGuest", "ACS::VSphere::ResetVM", "ACS::VSphere::SuspendVM",
    "ACS::VSphere::CreateVMSnapshot", "ACS::VSphere::RevertVMSnapshot", "ACS::VSphere::RemoveVMSnapshot",
    "ACS::VSphere::ReconfigureVM", "ACS::VSphere::CloneVM", "ACS::VSphere::DestroyVM",
    "ACS::VSphere::RunCommand", "ACS::VSphere::UploadFile", "ACS::VSphere::DownloadFile",
]


def test_required_actions_registered_with_valid_schemas():
    for name in REQUIRED:
        action = get_action(name)
        assert action is not None, name
        assert action.type in ACTION_TYPES
        jsonschema.validators.validator_for(action.properties_schema).check_schema(action.properties_schema)
    assert [a.name for a in all_actions()] == sorted(a.name for a in all_actions())
    assert get_action("ACS::Nope") is None


@pytest.mark.parametrize(
    ("name", "risk"),
    [("ACS::VSphere::StopVM", "High"), ("ACS::VSphere::DestroyVM", "High"), ("ACS::VSphere::ResetVM", "High"),
     ("ACS::VSphere::RevertVMSnapshot", "High"), ("ACS::VSphere::RemoveVMSnapshot", "High"),
     ("ACS::VSphere::RebootVMGuest", "Medium"), ("ACS::VSphere::ShutdownVMGuest", "Medium"),
     ("ACS::VSphere::StartVM", "Low"), ("ACS::Sleep", "Low"), ("ACS::VSphere::RunCommand", "High"),
     ("ACS::VSphere::UploadFile", "High"), ("ACS::VSphere::DownloadFile", "Medium")],
)
def test_risk_levels(name, risk):
    assert get_action(name).risk == risk


def test_vsphere_target_selection_required():
    schema = get_action("ACS::VSphere::StopVM").properties_schema
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid({})
    assert validator.is_valid({"NamePattern": "web-*"})
    assert validator.is_valid({"Tag": {"Key": "env", "Value": "prod"}})
    reconf = jsonschema.Draft202012Validator(get_action("ACS::VSphere::ReconfigureVM").properties_schema)
    assert not reconf.is_valid({"VMIds": ["vm-1"]})
    assert reconf.is_valid({"VMIds": ["vm-1"], "MemoryMB": 4096})


def test_describe_has_list_actions_shape():
    notify = get_action("ACS::Notify").describe()
    assert notify["OOSActionName"] == "ACS::Notify" and notify["ActionType"] == "Atomic.Trigger"
    assert set(notify["Properties"]) == {"NotifyType", "WebHook"}
    assert "TemplateVersion" not in notify
    assert get_action("ACS::VSphere::CloneVM").describe()["TemplateVersion"] == "v1"


def test_dynamic_permissions_and_choice_targets():
    assert get_action("ACS::ExecuteAPI").permissions_for({"API": "ListTemplates"}) == ["oos:ListTemplates"]
    assert get_action("ACS::ExecuteAPI").permissions_for({"API": "{{ api }}"}) == []
    targets = get_action("ACS::Choice").jump_targets({"DefaultTask": "a", "Choices": [{"When": True, "NextTask": "b"}]})
    assert targets == [("DefaultTask", "a"), ("Choices[0].NextTask", "b")]


def test_engine_interface_not_implemented_and_registry_guards():
    class Bare(Action):
        name = "Test::Bare"

    with pytest.raises(NotImplementedError):
        Bare().start(None)

    class Bad(Action):
        name = "ACS::Sleep"

    with pytest.raises(ValueError, match="twice"):
        register(Bad)

    class BadType(Action):
        name = "X::Y"
        type = "Atomic.Magic"

    with pytest.raises(ValueError, match="type"):
        register(BadType)
