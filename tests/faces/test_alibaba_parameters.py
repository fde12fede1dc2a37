"""The parameter store through the official SDK alibabacloud_oos20190601 (ACS3-HMAC-SHA256)."""
from __future__ import annotations

import json

import pytest
from alibabacloud_oos20190601 import models as oos
from django.db import connection
from Tea.exceptions import TeaException

from orchestration.models import AuditEvent, Role

from .conftest import Tea, make_signer

SECRET = "s3cr3t-Pa55word!"


@pytest.fixture
def admin_tea(server, tenant):
    return Tea(server, make_signer(tenant, "ada", Role.ADMIN))


def refused(call) -> TeaException:
    with pytest.raises(TeaException) as err:
        call()
    return err.value


def test_parameters_create_list_update_get_versions_and_delete(tea):
    created = tea.create_parameter(oos.CreateParameterRequest(
        name="app/db/host", type="String", value="db1.example", description="database host",
        constraints=json.dumps({"AllowedPattern": "^[a-z0-9.]+$"}), tags={"team": "ops"},
    )).body.parameter
    assert created.id.startswith("p-") and created.parameter_version == 1 and created.type == "String"
    assert created.tags == {"team": "ops"} and json.loads(created.constraints) == {"AllowedPattern": "^[a-z0-9.]+$"}
    tea.create_parameter(oos.CreateParameterRequest(name="hosts", type="StringList", value="a,b,c"))

    listed = tea.list_parameters(oos.ListParametersRequest()).body
    assert [p.name for p in listed.parameters] == ["app/db/host", "hosts"] and listed.total_count == 2
    under_path = tea.list_parameters(oos.ListParametersRequest(path="/app")).body.parameters
    assert [p.name for p in under_path] == ["app/db/host"]
    tea.create_parameter(oos.CreateParameterRequest(name="app/name", type="String", value="shop"))
    direct = tea.list_parameters(oos.ListParametersRequest(path="/app", recursive=False)).body.parameters
    assert [p.name for p in direct] == ["app/name"], "not recursive: only the level under the path"
    tea.delete_parameter(oos.DeleteParameterRequest(name="app/name"))
    by_type = tea.list_parameters(oos.ListParametersRequest(type="StringList")).body.parameters
    assert [p.name for p in by_type] == ["hosts"]

    updated = tea.update_parameter(oos.UpdateParameterRequest(name="app/db/host", value="db2.example")).body
    assert updated.parameter.parameter_version == 2
    got = tea.get_parameter(oos.GetParameterRequest(name="app/db/host")).body.parameter
    assert (got.value, got.parameter_version, got.description) == ("db2.example", 2, "database host")
    first = tea.get_parameter(oos.GetParameterRequest(name="app/db/host", parameter_version=1)).body.parameter
    assert (first.value, first.parameter_version) == ("db1.example", 1)
    many = tea.get_parameters(oos.GetParametersRequest(names=json.dumps(["hosts", "nope"]))).body
    assert [(p.name, p.value) for p in many.parameters] == [("hosts", "a,b,c")] and many.invalid_parameters == ["nope"]

    err = refused(lambda: tea.update_parameter(oos.UpdateParameterRequest(name="app/db/host", value="UPPER!")))
    assert err.code == "InvalidParameter" and "AllowedPattern" in err.message and err.status_code == 400

    tea.delete_parameter(oos.DeleteParameterRequest(name="hosts"))
    err = refused(lambda: tea.get_parameter(oos.GetParameterRequest(name="hosts")))
    assert err.code == "EntityNotExists.Parameter" and err.status_code == 404


def test_bad_input_is_answered_in_alibabas_envelope(tea):
    cases = [
        (oos.CreateParameterRequest(name="ACS-reserved", type="String", value="x"), "InvalidParameter", "Name"),
        (oos.CreateParameterRequest(name="bad name!", type="String", value="x"), "InvalidParameter", "Name"),
        (oos.CreateParameterRequest(name="/leading", type="String", value="x"), "InvalidParameter", "Name"),
        (oos.CreateParameterRequest(name="has.dot", type="String", value="x"), "InvalidParameter", "Name"),
        (oos.CreateParameterRequest(name="n" * 181, type="String", value="x"), "InvalidParameter", "Name"),
        (oos.CreateParameterRequest(name="ok", type="Number", value="1"), "InvalidParameter", "Type"),
        (oos.CreateParameterRequest(name="ok", type="String", value="x" * 4097), "InvalidParameter", "Value"),
        (oos.CreateParameterRequest(name="ok", type="String"), "MissingParameter", "Value"),
        (oos.CreateParameterRequest(name="ok", type="String", value="x", constraints="{nope"), "InvalidParameter",
         "Constraints"),
        (oos.CreateParameterRequest(name="ok", type="String", value="x", constraints='{"AllowedPattern": "("}'),
         "InvalidParameter", "Constraints"),
        (oos.CreateParameterRequest(name="ok", type="StringList", value="a,zz",
                                    constraints='{"AllowedValues": ["a", "b"]}'), "InvalidParameter", "Value"),
    ]
    for request, code, place in cases:
        err = refused(lambda request=request: tea.create_parameter(request))
        assert (err.code, err.status_code) == (code, 400), (request.to_map(), err.code, err.message)
        assert place in err.message
    tea.create_parameter(oos.CreateParameterRequest(name="ok", type="String", value="x"))
    err = refused(lambda: tea.create_parameter(oos.CreateParameterRequest(name="ok", type="String", value="y")))
    assert err.code == "EntityAlreadyExists.Parameter" and err.status_code == 409
    err = refused(lambda: tea.get_parameter(oos.GetParameterRequest(name="ok", parameter_version=7)))
    assert err.status_code == 404


def test_secret_parameters_never_answer_their_value_but_to_an_admin_who_asks(tea, admin_tea, tenant):
    created = tea.create_secret_parameter(oos.CreateSecretParameterRequest(
        name="guest/root", value=SECRET, description="guest login")).body.parameter
    assert created.type == "Secret" and created.parameter_version == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM orchestration_parameterversion")
        assert SECRET not in cursor.fetchone()[0], "encrypted at rest"

    listed = tea.list_secret_parameters(oos.ListSecretParametersRequest()).body.parameters
    assert [p.name for p in listed] == ["guest/root"]
    assert tea.list_parameters(oos.ListParametersRequest()).body.parameters == [], "kinds are apart"
    plain = tea.get_secret_parameter(oos.GetSecretParameterRequest(name="guest/root")).body.parameter
    assert plain.value is None and plain.name == "guest/root"
    err = refused(lambda: tea.get_secret_parameter(oos.GetSecretParameterRequest(name="guest/root",
                                                                                  with_decryption=True)))
    assert err.code == "Forbidden.WithDecryption" and err.status_code == 403 and SECRET not in err.message

    tea.update_secret_parameter(oos.UpdateSecretParameterRequest(name="guest/root", value=SECRET + "2"))
    revealed = admin_tea.get_secret_parameter(oos.GetSecretParameterRequest(
        name="guest/root", with_decryption=True)).body.parameter
    assert (revealed.value, revealed.parameter_version) == (SECRET + "2", 2)
    old = admin_tea.get_secret_parameter(oos.GetSecretParameterRequest(
        name="guest/root", with_decryption=True, parameter_version=1)).body.parameter
    assert old.value == SECRET
    both = admin_tea.get_secret_parameters(oos.GetSecretParametersRequest(
        names='["guest/root", "gone"]', with_decryption=True)).body
    assert [p.value for p in both.parameters] == [SECRET + "2"] and both.invalid_parameters == ["gone"]

    reads = AuditEvent.objects.filter(action="RevealSecretParameter", tenant=tenant).order_by("id")
    assert [(e.actor, e.result, e.object_id) for e in reads] == [
        ("oscar", "failure", "guest/root"), ("ada", "success", "guest/root"), ("ada", "success", "guest/root"),
        ("ada", "success", "guest/root")]

    tea.delete_secret_parameter(oos.DeleteSecretParameterRequest(name="guest/root"))
    assert tea.list_secret_parameters(oos.ListSecretParametersRequest()).body.parameters == []


def test_another_tenant_and_a_viewer_cannot_reach_or_write(tea, server, outsider, viewer):
    tea.create_secret_parameter(oos.CreateSecretParameterRequest(name="only-ours", value=SECRET))
    other = Tea(server, outsider)
    err = refused(lambda: other.get_secret_parameter(oos.GetSecretParameterRequest(name="only-ours",
                                                                                    with_decryption=True)))
    assert err.status_code == 404
    assert other.list_secret_parameters(oos.ListSecretParametersRequest()).body.parameters == []
    looker = Tea(server, viewer)
    assert [p.name for p in looker.list_secret_parameters(oos.ListSecretParametersRequest()).body.parameters] == [
        "only-ours"]
    err = refused(lambda: looker.update_secret_parameter(oos.UpdateSecretParameterRequest(name="only-ours",
                                                                                           value="mine")))
    assert err.status_code in (403, 404)
