"""The isolation matrix's tables: for each route or face action, how B aims it at A's objects.

Keys are what the code enumerates (``tests.isolation.routes``): native ``(url name,
method)``, Alibaba and UCloud action names, Baidu ``(path, method)``, Huawei, vSphere
task and console URL names. ``"{template}"`` and the like are A's ids (see
``tests.isolation.probes.fill``). A probe expects DENIED (403/404) unless it says otherwise.
"""
from __future__ import annotations

import json

from tests.isolation.probes import LISTED, NOT_A_CHOICE, UNKNOWN_CHOICE, Probe
from tests.isolation.seed import MARK, REGION

Probes = Probe | tuple[Probe, ...]  # an entry may try a route more than one way
OK = (200,)
TPL = json.dumps({"FormatVersion": "OOS-2019-06-01",
                  "Tasks": [{"Name": "nap", "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}}]})
STEP = json.dumps({"order": 1, "delay": 0, "resourceIDs": "{vm_moref}"})

# -- native API: (url name, method) → probe ------------------------------------------------------------------------

PK = {"pk": "{template}"}
NATIVE: dict[tuple[str, str], Probes] = {
    ("api-root", "GET"): Probe(status=OK, note="the endpoint index"),
    # tenants
    ("tenant-list", "GET"): Probe(status=LISTED),
    ("tenant-list", "POST"): Probe(body={"name": f"{MARK}-clone"}, status=(403,), note="superusers only"),
    **{("tenant-detail", m): Probe({"pk": "{tenant}"}, body={"name": "renamed"}) for m in ("GET", "PUT", "PATCH",
                                                                                              "DELETE")},
    ("project-list", "GET"): (Probe(status=LISTED), Probe(query={"tenant": "{tenant}"}, status=NOT_A_CHOICE)),
    ("project-list", "POST"): Probe(body={"tenant": "{tenant}", "name": "intruder"}, status=UNKNOWN_CHOICE),
    **{("project-detail", m): Probe({"pk": "{project}"}, body={"tenant": "{my_tenant}", "name": "moved"})
       for m in ("GET", "PUT", "PATCH", "DELETE")},
    # regions are shared by every tenant: B reads them, only superusers write
    ("region-list", "GET"): Probe(status=LISTED),
    ("region-list", "POST"): Probe(body={"id": "cn-b", "alias": "b"}, status=(403,)),
    ("region-detail", "GET"): Probe({"pk": REGION}, status=OK, note="regions are global"),
    **{("region-detail", m): Probe({"pk": REGION}, body={"id": REGION, "alias": "taken"}, status=(403,))
       for m in ("PUT", "PATCH", "DELETE")},
    ("membership-list", "GET"): (Probe(status=LISTED), Probe(query={"tenant": "{tenant}"}, status=NOT_A_CHOICE)),
    ("membership-list", "POST"): Probe(body={"tenant": "{tenant}", "user": "{me}", "role": "admin"},
                                       status=UNKNOWN_CHOICE, note="B joins A"),
    **{("membership-detail", m): Probe({"pk": "{membership}"}, body={"tenant": "{my_tenant}", "user": "{me}",
                                                                     "role": "viewer"})
       for m in ("GET", "PUT", "PATCH", "DELETE")},
    ("accesskey-list", "GET"): Probe(query={"owner": f"{MARK}-alice"}, status=LISTED),
    ("accesskey-list", "POST"): Probe(body={"tenant": "{tenant}"}, status=UNKNOWN_CHOICE),
    **{("accesskey-detail", m): Probe({"pk": "{access_key}"}, body={"enabled": False})
       for m in ("GET", "PATCH", "DELETE")},
    # executions
    ("execution-list", "GET"): (Probe(status=LISTED), Probe(query={"tenant": "{tenant}"}, status=NOT_A_CHOICE)),
    ("execution-list", "POST"): (
        Probe(body={"tenant": "{tenant}", "template": "{template}"}, status=UNKNOWN_CHOICE),
        Probe(body={"template": "{template}"}, status=(400, 403), note="A's template in B's tenant"),
    ),
    ("execution-bulk-delete", "POST"): Probe(body={"ids": ["{execution}"]}),
    **{("execution-detail", m): Probe({"pk": "{execution}"}) for m in ("GET", "DELETE")},
    ("execution-cancel", "POST"): Probe({"pk": "{execution}"}),
    ("execution-notify", "POST"): Probe({"pk": "{execution}"}, body={"notify_type": "Approve"}),
    ("execution-rerun", "POST"): Probe({"pk": "{execution}"}, body={}),
    ("execution-logs", "GET"): Probe({"pk": "{execution}"}),
    ("execution-task-executions", "GET"): Probe({"pk": "{execution}"}),
    ("execution-template", "GET"): Probe({"pk": "{execution}"}),
    ("taskexecution-list", "GET"): Probe(query={"execution": "{execution}"}, status=LISTED),
    # the audit trail: tenant admins read their own tenant's (B's viewers and operators: 403)
    ("auditevent-list", "GET"): Probe(query={"action": f"{MARK}-action"}, status=(200, 403)),
    ("auditevent-detail", "GET"): Probe({"pk": "{audit_event}"}),
    ("taskexecution-detail", "GET"): Probe({"pk": "{task_execution}"}),
    ("timertrigger-list", "GET"): Probe(query={"template": "{template}"}, status=LISTED),
    ("timertrigger-list", "POST"): (
        Probe(body={"tenant": "{tenant}", "template": "{template}", "name": "intruder", "cron": "0 3 * * *"},
              status=UNKNOWN_CHOICE),
        Probe(body={"template": "{template}", "name": "intruder", "cron": "0 3 * * *"}, status=(400, 403),
              note="A's template in B's tenant"),
    ),
    **{("timertrigger-detail", m): Probe({"pk": "{timer_trigger}"}, body={"enabled": False})
       for m in ("GET", "PATCH", "DELETE")},
    ("eventtrigger-list", "GET"): (Probe(status=LISTED), Probe(query={"template": "{template}"}, status=NOT_A_CHOICE)),
    ("eventtrigger-list", "POST"): (
        Probe(body={"tenant": "{tenant}", "template": "{template}", "name": "intruder"}, status=UNKNOWN_CHOICE),
        Probe(body={"template": "{template}", "name": "intruder"}, status=(400, 403),
              note="A's template in B's tenant"),
    ),
    **{("eventtrigger-detail", m): Probe({"pk": "{event_trigger}"}, body={"enabled": False})
       for m in ("GET", "PATCH", "DELETE")},
    ("eventtriggerfiring-list", "GET"): Probe(query={"trigger": "{event_trigger}"}, status=(200, 400)),
    ("eventtriggerfiring-detail", "GET"): Probe({"pk": "{event_firing}"}),
    # orchestration tasks
    ("orchtask-list", "GET"): (Probe(status=LISTED), Probe(query={"tenant": "{tenant}"}, status=NOT_A_CHOICE)),
    ("orchtask-list", "POST"): (
        Probe(body={"tenant": "{tenant}", "region": REGION, "name": "intruder", "task_type": "StartInOrder",
                    "steps": [STEP]}, status=UNKNOWN_CHOICE),
        Probe(body={"region": REGION, "name": "intruder", "task_type": "StartInOrder", "steps": [STEP]},
              status=(400, 403), note="A's VM in B's task"),
        Probe(body={"region": REGION, "name": "intruder", "task_type": "StartInOrder", "project": "{project}"},
              status=(400, 403), note="A's project in B's task"),
    ),
    ("orchtask-types", "GET"): Probe(status=OK, note="the catalog of task types"),
    **{("orchtask-detail", m): Probe({"pk": "{orch_task}"}, body={"name": "renamed"})
       for m in ("GET", "PATCH", "DELETE")},
    ("orchtask-operate", "POST"): Probe({"pk": "{orch_task}"}, body={"operation": "Execute"}),
    ("orchtask-template", "GET"): Probe({"pk": "{orch_task}"}),
    # parameters and secret parameters
    **{(f"{kind}-list", "GET"): (Probe(status=LISTED), Probe(query={"tenant": "{tenant}"}, status=NOT_A_CHOICE))
       for kind in ("parameter", "secret-parameter")},
    **{(f"{kind}-list", "POST"): Probe(body={"tenant": "{tenant}", "name": "intruder", "value": "x"},
                                       status=UNKNOWN_CHOICE) for kind in ("parameter", "secret-parameter")},
    **{("parameter-detail", m): Probe({"pk": "{parameter}"}, body={"value": "changed"})
       for m in ("GET", "PATCH", "DELETE")},
    **{("secret-parameter-detail", m): Probe({"pk": "{secret_parameter}"}, query={"with_decryption": "true"},
                                             body={"value": "changed"}) for m in ("GET", "PATCH", "DELETE")},
    # templates
    ("template-list", "GET"): (Probe(status=LISTED), Probe(query={"tenant": "{tenant}"}, status=NOT_A_CHOICE)),
    ("template-list", "POST"): Probe(body={"tenant": "{tenant}", "name": "intruder", "content": TPL},
                                     status=UNKNOWN_CHOICE),
    ("template-validate", "POST"): Probe(body={"content": TPL}, status=OK, note="validates what B sends"),
    **{("template-detail", m): Probe(PK, body={"content": TPL}) for m in ("GET", "PATCH", "DELETE")},
    **{(f"template-{n}", "GET"): Probe(PK) for n in ("diff", "policy", "risky-tasks", "versions")},
    ("template-version", "GET"): Probe({"pk": "{template}", "version": "v1"}),
    # the action catalog is the same for everyone
    ("action-list", "GET"): Probe(status=OK),
    ("action-detail", "GET"): Probe({"pk": "ACS::Sleep"}, status=OK),
    # vSphere: vCenters granted to A only
    ("vcenter-list", "GET"): Probe(status=LISTED),
    ("vcenter-list", "POST"): Probe(body={"name": "mine", "host": "h", "user": "u", "password": "p"},
                                    status=(403,), note="platform staff only"),
    **{("vcenter-detail", m): Probe({"pk": "{vcenter}"}, body={"name": "renamed"})
       for m in ("GET", "PUT", "PATCH", "DELETE")},
    ("vcenter-sync", "POST"): Probe({"pk": "{vcenter}"}),
    ("vcenter-test-connection", "POST"): Probe({"pk": "{vcenter}"}),
    ("inventoryobject-list", "GET"): (Probe(query={"vsphere_uuid": "{vsphere_uuid}", "under": "{vm_moref}"},
                                            status=LISTED),
                                      Probe(query={"vcenter": "{vcenter}"}, status=NOT_A_CHOICE)),
    ("inventoryobject-detail", "GET"): Probe({"pk": "{vm}"}),
    ("vspheretask-list", "GET"): (Probe(query={"vsphere_uuid": "{vsphere_uuid}", "key": "{vsphere_task_key}"},
                                        status=LISTED),
                                  Probe(query={"vcenter": "{vcenter}"}, status=NOT_A_CHOICE)),
    ("vspheretask-detail", "GET"): Probe({"pk": "{vsphere_task}"}),
    ("vsphereevent-list", "GET"): Probe(query={"vcenter": "{vcenter}"}, status=(200, 400)),
    ("vsphereevent-detail", "GET"): Probe({"pk": "{vsphere_event}"}),
}

# -- the cloud faces: action → probe ------------------------------------------------------------------------------

EXECUTION = {"ExecutionId": "{execution}"}
TEMPLATE = {"TemplateName": "{template}"}
ALIBABA: dict[str, Probes] = {
    "CancelExecution": Probe(body=EXECUTION),
    "CreateTemplate": Probe(body={"TemplateName": "own-{me}", "Content": TPL}, status=(200, 403),
                            note="B's own tenant: nothing of A to name"),
    "DeleteExecutions": Probe(body={"ExecutionIds": json.dumps(["{execution}"])}),
    "DeleteTemplate": Probe(body=TEMPLATE),
    "GenerateExecutionPolicy": Probe(body=TEMPLATE),
    "GetExecutionTemplate": Probe(body=EXECUTION),
    "GetTemplate": (Probe(body=TEMPLATE), Probe(body={"TemplateName": "{template_name}"})),
    "ListActions": Probe(status=OK),
    "ListExecutionLogs": Probe(body=EXECUTION),
    "ListExecutionRiskyTasks": Probe(body=TEMPLATE),
    "ListExecutions": Probe(body=EXECUTION, status=LISTED),
    "ListTagResources": Probe(body={"ResourceType": "execution", "ResourceIds": json.dumps(["{execution}"])},
                              status=LISTED, note="a filter: unknown ids match nothing, as in Alibaba's API"),
    "ListTaskExecutions": Probe(body=EXECUTION, status=LISTED),
    "ListTemplates": Probe(body={"TemplateName": MARK}, status=LISTED),
    "NotifyExecution": Probe(body={**EXECUTION, "NotifyType": "Approve"}),
    "StartExecution": (Probe(body=TEMPLATE), Probe(body={"TemplateName": "{template_name}"})),
    "TagResources": Probe(body={"ResourceType": "template", "ResourceIds": json.dumps(["{template}"]),
                                "Tags": json.dumps({"k": "v"})}),
    "UntagResources": Probe(body={"ResourceType": "template", "ResourceIds": json.dumps(["{template}"]),
                                  "TagKeys": json.dumps([f"{MARK}-tag"])}),
    "UpdateTemplate": Probe(body={**TEMPLATE, "Content": TPL}),
    "ValidateTemplateContent": Probe(body={"Content": TPL}, status=OK),
    **{f"Create{kind}": Probe(body={"Name": "own-{me}", "Type": "String", "Value": "x"}, status=(200, 400, 403),
                              note="B's own tenant: nothing of A to name")
       for kind in ("Parameter", "SecretParameter")},
    **{f"{verb}Parameter": (Probe(body={"Name": "{parameter_name}", "Value": "changed"}),
                            Probe(body={"Name": "{parameter}", "Value": "changed"}))
       for verb in ("Get", "Update", "Delete")},
    **{f"{verb}SecretParameter": (
        Probe(body={"Name": "{secret_parameter_name}", "Value": "changed", "WithDecryption": "true"}),
        Probe(body={"Name": "{secret_parameter}", "Value": "changed", "WithDecryption": "true"}))
       for verb in ("Get", "Update", "Delete")},
    "GetParameters": Probe(body={"Names": json.dumps(["{parameter_name}", "{parameter}"])}, status=OK,
                           note="answers A's names as InvalidParameters: not found"),
    "GetSecretParameters": Probe(body={"Names": json.dumps(["{secret_parameter_name}"]), "WithDecryption": "true"},
                                 status=OK, note="answers A's name as InvalidParameters: not found"),
    "ListParameters": Probe(body={"Name": MARK}, status=LISTED),
    "ListSecretParameters": Probe(body={"Name": MARK}, status=LISTED),
}
# UCloud answers HTTP 200 with RetCode ≠ 0; "status" here is the RetCode family: 0 or not.
UCLOUD: dict[str, Probes] = {
    "DescribeOrchTaskType": Probe(body={"CompanyID": "{tenant}"}, note="A's CompanyID with B's key"),
    "CreateOrchTask": (
        Probe(body={"CompanyID": "{tenant}", "Name": "intruder", "TaskType": "StartInOrder", "ResourceType": "VM",
                    "Steps": [STEP]}),
        Probe(body={"CompanyID": "{my_tenant}", "Name": "intruder", "TaskType": "StartInOrder", "ResourceType": "VM",
                    "Steps": [STEP]}, note="A's VM in B's task"),
        Probe(body={"CompanyID": "{my_tenant}", "Name": "intruder", "TaskType": "StartInOrder", "ResourceType": "VM",
                    "Condition": json.dumps({"NamePattern": "DC0_*"}), "ProjectID": "{project}"},
              note="A's project"),
    ),
    "DeleteOrchTask": Probe(body={"TaskID": "{orch_task}"}),
    "DescribeOrchTask": (Probe(body={"TaskIDs": ["{orch_task}"]}), Probe(body={"ProjectID": "{project}"})),
    "UpdateOrchTask": Probe(body={"CompanyID": "{my_tenant}", "TaskID": "{orch_task}", "Name": "renamed"}),
    "OperateOrchTask": Probe(body={"TaskID": "{orch_task}", "Operation": "Execute"}),
}
STOP = {"name": "stop", "operator": "BCE::BCC::StopInstance", "properties": {"instances": [{"instanceId": "i-1"}]}}
BAIDU: dict[tuple[str, str], Probes] = {
    ("v2/template", "POST"): Probe(body={"name": "own-{me}", "operators": [STOP]}, status=(200, 403),
                                   note="B's own tenant"),
    ("v2/template", "PUT"): Probe(body={"id": "{template}", "operators": [STOP]}),
    ("v2/template", "DELETE"): Probe(query={"id": "{template}"}),
    ("v2/template", "GET"): Probe(query={"name": "{template_name}"}),
    ("v2/template/check", "POST"): Probe(body={"name": "check", "operators": [STOP]}, status=OK),
    ("v2/template/list", "POST"): Probe(body={"name": MARK}, status=LISTED),
    ("v1/operator/list", "POST"): Probe(body={}, status=OK),
    ("v2/execution", "POST"): (Probe(body={"template": {"ref": "{template}"}}),
                               Probe(body={"template": {"name": "{template_name}"}})),
    ("v2/execution", "GET"): Probe(query={"id": "{execution}"}),
}
HUAWEI: dict[str, Probes] = {
    "huawei-list-workflow": (Probe({"project_id": "{tenant}"}, note="A's CompanyID with B's key"),
                             Probe({"project_id": "{project}"}, note="A's project with B's key")),
}
VSPHERE_TASKS: dict[str, Probes] = {
    "vsphere-task-root-recent": Probe(query={"vsphere_uuid": "{vsphere_uuid}"}),
    "vsphere-task-root": Probe(query={"vsphere_uuid": "{vsphere_uuid}"}),
    "vsphere-task-resource": Probe(query={"vsphere_uuid": "{vsphere_uuid}", "reference": "{vm_reference}"}),
}

# The console: HTML pages of the selected tenant. A's objects are error pages (404, or 403 where a
# role check comes first); forms posted with A's tenant re-render with an error (400) or land on
# B's own pages; lists and the switcher show B's data only.
EXEC = {"execution_id": "{execution}"}
TEMPLATE_ID = {"template_id": "{template}"}
ORCH = {"task_id": "{orch_task}"}
FORM_REFUSED = (200, 302, 400, 403, 404)  # judged by the fingerprint and unchanged-rows checks
CONSOLE: dict[str, Probes] = {
    "dashboard": Probe(status=OK),
    "login": Probe(status=(302,), note="a signed-in user is sent on"),
    "logout": Probe(status=(405,), note="GET is refused; POST signs B out"),
    "switch": Probe(method="POST", body={"tenant": "{tenant}", "project": "{project}", "next": "/console/templates/"},
                    status=OK, note="followed to the page it lands on"),
    "template-list": Probe(query={"tenant": "{tenant}", "q": MARK}, status=OK),
    "template-create": (Probe(query={"from": "{template}"}), Probe(
        method="POST", body={"name": "intruder-{me}", "content": TPL}, status=(302, 403),
        note="the form has no tenant: it creates in the selected one (B's; the switcher cannot select A)")),
    "template-validate": Probe(method="POST", body={"content": TPL}, status=OK),
    "template-detail": Probe(TEMPLATE_ID),
    "template-edit": (Probe(TEMPLATE_ID), Probe(TEMPLATE_ID, method="POST", body={"content": TPL})),
    "template-diff": Probe(TEMPLATE_ID),
    "template-delete": Probe(TEMPLATE_ID, method="POST"),
    "template-run": (Probe(TEMPLATE_ID), Probe(TEMPLATE_ID, method="POST", body={"mode": "Automatic"})),
    "execution-list": Probe(query={"q": MARK}, status=OK),
    "execution-detail": Probe(EXEC),
    "execution-live": Probe(EXEC),
    "execution-logs": Probe(EXEC),
    "execution-act": Probe(EXEC, method="POST", body={"action": "cancel"}),
    "execution-loop-items": Probe({**EXEC, "task_execution_id": "{task_execution}"}),
    "execution-log-download": (Probe(EXEC, query={"format": "text"}), Probe(EXEC, query={"format": "jsonl"})),
    "execution-log-raw": Probe(EXEC),
    "execution-bulk": (Probe(method="POST", body={"action": "cancel", "ids": ["{execution}"]}),
                       Probe(method="POST", body={"action": "delete", "ids": ["{execution}"]})),
    "template-schedule-create": (Probe(TEMPLATE_ID), Probe(TEMPLATE_ID, method="POST", body={
        "name": "intruder", "kind": "cron", "cron": "0 3 * * *", "mode": "Automatic",
        "safety_check": "Skip", "loop_mode": "Automatic"})),
    "template-schedule-act": (
        Probe({**TEMPLATE_ID, "trigger_id": "{timer_trigger}"}, method="POST", body={"action": "delete"}),
        Probe({"template_id": "ACS-VSphere-RebootAndWait", "trigger_id": "{timer_trigger}"}, method="POST",
              body={"action": "pause"}, note="A's trigger through a public template B can see"),
    ),
    "approvals": Probe(status=OK),
    "audit": Probe(query={"action": f"{MARK}-action"}, status=(200, 403)),
    "vsphere": Probe(status=OK),
    "vsphere-vcenter-act": Probe({"vcenter_id": "{vcenter}"}, method="POST", body={"action": "sync"}),
    "vsphere-inventory": Probe(query={"vcenter": "{vcenter}", "q": "DC0"}, status=OK),
    "vsphere-tasks": Probe(query={"vcenter": "{vcenter}"}, status=OK),
    "vsphere-events": Probe(query={"vcenter": "{vcenter}"}, status=OK),
    "event-triggers": (Probe(query={"template": "{template}"}, status=OK),
                       Probe(method="POST", status=FORM_REFUSED, body={"template": "{template}", "name": "intruder",
                                                                       "dedupe_seconds": "60",
                                                                       "max_runs_per_minute": "10"})),
    "event-trigger-detail": Probe({"event_trigger_id": "{event_trigger}"}),
    "event-trigger-act": Probe({"event_trigger_id": "{event_trigger}"}, method="POST", body={"action": "delete"}),
    "orchtasks": Probe(query={"q": MARK}, status=OK),
    "orchtask-create": (Probe(status=(200, 403)), Probe(method="POST", status=FORM_REFUSED, body={
        "tenant": "{tenant}", "region": REGION, "name": "intruder", "task_type": "StartInOrder"})),
    "orchtask-detail": Probe(ORCH),
    "orchtask-live": Probe(ORCH),
    "orchtask-edit": (Probe(ORCH), Probe(ORCH, method="POST", body={"name": "renamed"})),
    "orchtask-operate": Probe(ORCH, method="POST", body={"operation": "Execute"}),
    "orchtask-delete": Probe(ORCH, method="POST"),
    "parameters": (Probe(query={"q": MARK}, status=OK), Probe(query={"q": MARK, "kind": "secret"}, status=OK)),
    "parameter-create": (Probe(status=(200, 403)), Probe(
        method="POST", body={"name": "intruder-{me}", "type": "String", "value": "x"}, status=(302, 403),
        note="the form has no tenant: it creates in the selected one (B's; the switcher cannot select A)")),
    **{f"parameter-{n}": tuple(Probe({"parameter_id": pk}, method=m, body={"value": "changed"})
                               for pk in ("{parameter}", "{secret_parameter}") for m in ("GET", "POST"))
       for n in ("edit", "delete")},
}

# URLs that are not tenant APIs, and why; anything else must be in a table above.
NOT_TENANT_APIS = {
    "admin/": "Django admin: platform staff only (tests/orchestration/test_admin.py)",
    "healthz": "liveness, no data",
    "readyz": "readiness, no data",
    "metrics": "Prometheus metrics: allowed addresses or a token only, no tenant data (tests/test_metrics.py)",
    "api/schema/": "the OpenAPI document, no data",
    "api/docs/": "Swagger UI, no data",
    "api-auth/": "DRF's login pages",
    "i18n/": "language switch",
}
COVERED = {
    "api/v1/": "NATIVE",
    "v1/vsphere/": "VSPHERE_TASKS",
    "api/logic/oos/": "BAIDU",
    "console/": "CONSOLE",
}
COVERED_BY_NAME = {"faces-root": "ALIBABA and UCLOUD", "huawei-list-workflow": "HUAWEI"}
