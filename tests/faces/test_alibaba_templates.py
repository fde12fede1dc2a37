"""Template, action and tag actions through aliyun-python-sdk-oos (signature v1) against a live server."""
from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkoos.request.v20190601 import (
    CreateTemplateRequest,
    DeleteTemplateRequest,
    GenerateExecutionPolicyRequest,
    GetTemplateRequest,
    ListActionsRequest,
    ListExecutionRiskyTasksRequest,
    ListTagResourcesRequest,
    ListTemplatesRequest,
    TagResourcesRequest,
    UntagResourcesRequest,
    UpdateTemplateRequest,
    ValidateTemplateContentRequest,
)

from templates_app.models import Template

from .conftest import Acs

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

SLEEP = {
    "FormatVersion": "OOS-2019-06-01",
    "Description": "Wait a bit",
    "Parameters": {"Seconds": {"Type": "Number", "Default": 1, "Description": "How long"}},
    "Tasks": [{"Name": "pause", "Action": "ACS::Sleep", "Properties": {"Duration": "PT1S"}}],
}
RISKY = {
    "FormatVersion": "OOS-2019-06-01",
    "Parameters": {"VM": {"Type": "String"}},
    "Tasks": [
        {"Name": "stop", "Action": "ACS::VSphere::StopVM", "Properties": {"VMNames": ["{{ VM }}"]}},
    ],
}


def create(acs: Acs, name: str, content=SLEEP, tags=None) -> dict:
    req = CreateTemplateRequest.CreateTemplateRequest()
    req.set_TemplateName(name)
    req.set_Content(json.dumps(content))
    if tags is not None:
        req.set_Tags(json.dumps(tags))
    return acs(req)


def test_create_get_update_delete(acs):
    created = create(acs, "MyTemplate", tags={"team": "ops"})
    meta = created["Template"]
    assert created["RequestId"]
    assert meta["TemplateName"] == "MyTemplate" and meta["TemplateId"].startswith("t-")
    assert meta["TemplateVersion"] == "v1" and meta["TemplateFormat"] == "JSON"
    assert meta["ShareType"] == "Private" and meta["Tags"] == {"team": "ops"}
    assert meta["Description"] == "Wait a bit" and meta["CreatedBy"] == "oscar"
    assert ISO_Z.match(meta["CreatedDate"]) and ISO_Z.match(meta["UpdatedDate"])
    assert len(meta["Hash"]) == 64

    get = GetTemplateRequest.GetTemplateRequest()
    get.set_TemplateName("MyTemplate")
    got = acs(get)
    assert json.loads(got["Content"]) == SLEEP and got["Template"]["TemplateId"] == meta["TemplateId"]

    update = UpdateTemplateRequest.UpdateTemplateRequest()
    update.set_TemplateName("MyTemplate")
    update.set_Content(json.dumps({**SLEEP, "Description": "Wait longer"}))
    updated = acs(update)["Template"]
    assert updated["TemplateVersion"] == "v2" and updated["Description"] == "Wait longer"

    get_v1 = GetTemplateRequest.GetTemplateRequest()
    get_v1.set_TemplateName(meta["TemplateId"])
    get_v1.set_TemplateVersion("v1")
    old = acs(get_v1)
    assert old["Template"]["TemplateVersion"] == "v1" and json.loads(old["Content"])["Description"] == "Wait a bit"

    delete = DeleteTemplateRequest.DeleteTemplateRequest()
    delete.set_TemplateName("MyTemplate")
    assert set(acs(delete)) == {"RequestId"}
    assert not Template.objects.filter(name="MyTemplate").exists()
    with pytest.raises(ServerException) as err:
        acs(get)
    assert err.value.get_http_status() == 404 and err.value.get_error_code() == "EntityNotExists.Template"


def test_create_errors(acs):
    create(acs, "Dup")
    with pytest.raises(ServerException) as err:
        create(acs, "Dup")
    assert err.value.get_error_code() == "EntityAlreadyExists.Template"
    with pytest.raises(ServerException) as err:
        create(acs, "ACS-Mine")
    assert err.value.get_error_code() == "InvalidParameter.TemplateName.Reserved"
    assert err.value.get_http_status() == 400
    with pytest.raises(ServerException) as err:
        create(acs, "Broken", content={"FormatVersion": "OOS-2019-06-01", "Tasks": [{"Name": "x"}]})
    assert err.value.get_error_code() == "InvalidTemplate" and "Tasks" in err.value.get_error_msg()
    req = CreateTemplateRequest.CreateTemplateRequest()
    req.set_TemplateName("NoContent")
    with pytest.raises(ServerException) as err:
        acs(req)
    assert err.value.get_error_code() == "MissingParameter" and "Content" in err.value.get_error_msg()
    with pytest.raises(ServerException) as err:
        create(acs, "BadTags", tags=["not", "a", "map"])
    assert err.value.get_error_code() == "InvalidParameter" and "Tags" in err.value.get_error_msg()


def test_viewer_may_read_but_not_write(server, operator, viewer):
    create(Acs(server, operator), "Shared")
    as_viewer = Acs(server, viewer)
    get = GetTemplateRequest.GetTemplateRequest()
    get.set_TemplateName("Shared")
    assert as_viewer(get)["Template"]["TemplateName"] == "Shared"
    with pytest.raises(ServerException) as err:
        create(as_viewer, "Nope")
    assert err.value.get_http_status() == 403 and err.value.get_error_code() == "Forbidden"


def test_tenants_are_isolated(server, operator, outsider):
    create(Acs(server, operator), "Secret")
    get = GetTemplateRequest.GetTemplateRequest()
    get.set_TemplateName("Secret")
    with pytest.raises(ServerException) as err:
        Acs(server, outsider)(get)
    assert err.value.get_error_code() == "EntityNotExists.Template"


def test_list_templates_filters_sorting_and_paging(acs):
    for i in range(23):
        create(acs, f"T{i:02d}", tags={"batch": "odd" if i % 2 else "even"})
    Template.objects.filter(name="T05").update(total_execution_count=9)
    req = ListTemplatesRequest.ListTemplatesRequest()
    req.set_MaxResults(20)
    req.set_ShareType("Private")
    first = acs(req)
    assert first["MaxResults"] == 20 and len(first["Templates"]) == 20 and first["NextToken"]
    assert first["Templates"][0]["TemplateName"] == "T05"  # default: TotalExecutionCount, Descending
    assert first["Templates"][0]["TotalExecutionCount"] == 9 and first["Templates"][0]["Popularity"] == -1
    req.set_NextToken(first["NextToken"])
    second = acs(req)
    assert len(second["Templates"]) == 3 and second["NextToken"] == ""
    names = {t["TemplateName"] for t in first["Templates"] + second["Templates"]}
    assert names == {f"T{i:02d}" for i in range(23)}

    by_name = ListTemplatesRequest.ListTemplatesRequest()
    by_name.set_SortField("TemplateName")
    by_name.set_SortOrder("Ascending")
    by_name.set_TemplateName("T1")
    by_name.set_Tags(json.dumps({"batch": "odd"}))
    rows = acs(by_name)["Templates"]
    assert [t["TemplateName"] for t in rows] == ["T11", "T13", "T15", "T17", "T19"]
    assert rows[0]["Tags"] == {"batch": "odd"}

    bad = ListTemplatesRequest.ListTemplatesRequest()
    bad.set_MaxResults(500)
    with pytest.raises(ServerException) as err:
        acs(bad)
    assert err.value.get_error_code() == "InvalidParameter" and "MaxResults" in err.value.get_error_msg()
    bad = ListTemplatesRequest.ListTemplatesRequest()
    bad.set_NextToken("garbage")
    with pytest.raises(ServerException) as err:
        acs(bad)
    assert err.value.get_error_code() == "InvalidParameter"
    bad = ListTemplatesRequest.ListTemplatesRequest()
    bad.set_CreatedDateAfter("yesterday")
    with pytest.raises(ServerException) as err:
        acs(bad)
    assert "CreatedDateAfter" in err.value.get_error_msg()


def test_validate_risky_tasks_and_policy(acs):
    validate = ValidateTemplateContentRequest.ValidateTemplateContentRequest()
    validate.set_Content(json.dumps(SLEEP))
    answer = acs(validate)
    assert answer["Parameters"]["Seconds"]["Type"] == "Number"
    assert answer["Tasks"][0]["Name"] == "pause" and answer["Tasks"][0]["Type"] == "ACS::Sleep"
    validate.set_Content("Tasks: [")
    with pytest.raises(ServerException) as err:
        acs(validate)
    assert err.value.get_error_code() == "InvalidTemplate"

    create(acs, "Risky", content=RISKY)
    risky = ListExecutionRiskyTasksRequest.ListExecutionRiskyTasksRequest()
    risky.set_TemplateName("Risky")
    tasks = acs(risky)["RiskyTasks"]
    assert tasks and tasks[0]["Task"] == ["stop"] and tasks[0]["Template"] == ["Risky"]
    assert tasks[0]["API"] == "PowerOffVM" and tasks[0]["Service"]

    policy = GenerateExecutionPolicyRequest.GenerateExecutionPolicyRequest()
    policy.set_TemplateName("Risky")
    statement = acs(policy)["Policy"]["Statement"][0]
    assert statement == {"Effect": "Allow", "Action": ["vsphere:DescribeVMs", "vsphere:PowerOffVM"], "Resource": "*"}


def test_list_actions(acs):
    req = ListActionsRequest.ListActionsRequest()
    req.set_OOSActionName("Sleep")
    actions = acs(req)["Actions"]
    assert [a["OOSActionName"] for a in actions] == ["ACS::Sleep"]
    assert actions[0]["ActionType"] and "Properties" in actions[0]
    everything = ListActionsRequest.ListActionsRequest()
    everything.set_MaxResults(20)
    page = acs(everything)
    assert len(page["Actions"]) <= 20 and page["MaxResults"] == 20


def test_tags(acs):
    create(acs, "A")
    create(acs, "B")
    tag = TagResourcesRequest.TagResourcesRequest()
    tag.set_ResourceType("template")
    tag.set_ResourceIds(json.dumps(["A", "B"]))
    tag.set_Tags(json.dumps({"env": "prod", "team": "ops"}))
    assert set(acs(tag)) == {"RequestId"}

    listing = ListTagResourcesRequest.ListTagResourcesRequest()
    listing.set_ResourceType("template")
    rows = acs(listing)["TagResources"]["TagResource"]
    assert {(r["ResourceId"], r["TagKey"], r["TagValue"]) for r in rows} == {
        ("A", "env", "prod"), ("A", "team", "ops"), ("B", "env", "prod"), ("B", "team", "ops")
    }
    listing.set_ResourceIds(json.dumps(["B"]))
    assert {r["ResourceId"] for r in acs(listing)["TagResources"]["TagResource"]} == {"B"}

    untag = UntagResourcesRequest.UntagResourcesRequest()
    untag.set_ResourceType("template")
    untag.set_ResourceIds(json.dumps(["A"]))
    untag.set_TagKeys(json.dumps(["env"]))
    acs(untag)
    listing = ListTagResourcesRequest.ListTagResourcesRequest()
    listing.set_ResourceType("template")
    listing.set_Tags(json.dumps({"env": "prod"}))
    assert {r["ResourceId"] for r in acs(listing)["TagResources"]["TagResource"]} == {"B"}

    untag_all = UntagResourcesRequest.UntagResourcesRequest()
    untag_all.set_ResourceType("template")
    untag_all.set_ResourceIds(json.dumps(["A", "B"]))
    untag_all.set_All(True)
    acs(untag_all)
    listing = ListTagResourcesRequest.ListTagResourcesRequest()
    listing.set_ResourceType("template")
    assert acs(listing)["TagResources"]["TagResource"] == []

    bad = TagResourcesRequest.TagResourcesRequest()
    bad.set_ResourceType("vm")
    bad.set_ResourceIds(json.dumps(["A"]))
    bad.set_Tags(json.dumps({"k": "v"}))
    with pytest.raises(ServerException) as err:
        acs(bad)
    assert err.value.get_error_code() == "InvalidParameter" and "ResourceType" in err.value.get_error_msg()
    bad.set_ResourceType("template")
    bad.set_ResourceIds(json.dumps([f"t{i}" for i in range(51)]))
    with pytest.raises(ServerException) as err:
        acs(bad)
    assert "ResourceIds" in err.value.get_error_msg()
    bad.set_ResourceIds(json.dumps(["A"]))
    bad.set_Tags(json.dumps({f"k{i}": "v" for i in range(21)}))
    with pytest.raises(ServerException) as err:
        acs(bad)
    assert "Tags" in err.value.get_error_msg()


def test_xml_format(acs):
    create(acs, "X1", tags={"k1": "v1"})
    req = ListTemplatesRequest.ListTemplatesRequest()
    req.set_ShareType("Private")
    status, body = acs.raw(req, "XML")
    assert status == 200
    root = ET.fromstring(body)
    assert root.tag == "ListTemplatesResponse"
    assert root.findtext("RequestId") and root.findtext("MaxResults") == "50"
    assert root.find("Templates").findtext("TemplateName") == "X1"
    assert root.find("Templates").find("Tags").findtext("k1") == "v1"

    missing = GetTemplateRequest.GetTemplateRequest()
    missing.set_TemplateName("Nope")
    status, body = acs.raw(missing, "XML")
    error = ET.fromstring(body)
    assert status == 404 and error.tag == "Error"
    assert error.findtext("Code") == "EntityNotExists.Template" and error.findtext("RequestId")
    assert error.findtext("HostId")
