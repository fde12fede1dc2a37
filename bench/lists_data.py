"""The data set of the list benchmark, generated in SQL (``INSERT … SELECT generate_series``).

At scale 1: 1,000,000 executions in two tenants (70/30) over a year, three task executions
and three log lines each (3M of each), one big running execution with a 10,000-row loop
and 100,000 log lines, 1,000,000 synced vSphere tasks of one vCenter, and a few hundred
templates and OrchTasks for the faces that list those. Small rows go through the ORM and
the services (so they are what the application would write); the big tables are filled
by the database itself, which is minutes rather than hours.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

BIG_ID = "exec-big0000000000000000000"
VCENTER_UUID = "bench-vcenter-0001"
DAY = 86400


@dataclass
class Sizes:
    executions: int
    big_items: int
    big_logs: int
    vsphere_tasks: int
    templates: int
    orch_tasks: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(executions=max(2000, int(1_000_000 * scale)), big_items=max(200, int(10_000 * scale)),
                   big_logs=max(2000, int(100_000 * scale)), vsphere_tasks=max(2000, int(1_000_000 * scale)),
                   templates=200, orch_tasks=300)


@dataclass
class Fixtures:
    tenant_a: object
    tenant_b: object
    viewer: object  # a member of tenant A only (the realistic caller)
    admin: object  # platform staff (the admin site)
    key_id: str
    secret: str
    loop_id: str
    vcenter: object


def _step(name: str, **extra) -> dict:
    return {"Name": name, "Action": "ACS::Sleep", "Properties": {"Duration": "PT0S"}, **extra}


def big_content(items: int) -> str:
    tasks = [_step("prepare"), _step("each", Loop={"Items": list(range(items)), "Concurrency": 20}), _step("finish")]
    return json.dumps({"FormatVersion": "OOS-2019-06-01", "Tasks": tasks})


SMALL_CONTENT = json.dumps({"FormatVersion": "OOS-2019-06-01", "Tasks": [_step("step1"), _step("step2"),
                                                                           _step("step3")]})


def present() -> bool:
    from orchestration.models import Execution

    return Execution.objects.filter(pk=BIG_ID).exists()


def fixtures() -> Fixtures:
    """The rows every run needs (created once; a reused database already has them)."""
    from django.contrib.auth import get_user_model

    from orchestration.models import Membership, Role, TaskExecution, Tenant
    from orchestration.services.tenancy import issue_access_key
    from vsphere.models import VCenter

    users = get_user_model()
    tenant_a, _ = Tenant.objects.get_or_create(name="bench-a")
    tenant_b, _ = Tenant.objects.get_or_create(name="bench-b")
    viewer, made = users.objects.get_or_create(username="bench-viewer")
    if made:
        viewer.set_password("bench-pw")
        viewer.save()
    Membership.objects.get_or_create(user=viewer, tenant=tenant_a, defaults={"role": Role.OPERATOR})
    admin = users.objects.filter(username="bench-admin").first() or users.objects.create_superuser(
        "bench-admin", "admin@example.com", "bench-pw")
    issued = issue_access_key(tenant_a, viewer)
    vcenter = VCenter.objects.filter(vsphere_uuid=VCENTER_UUID).first()
    loop = TaskExecution.objects.filter(execution_id=BIG_ID, task_name="each").values_list("pk", flat=True).first()
    return Fixtures(tenant_a, tenant_b, viewer, admin, issued.key.pk, issued.secret, loop or "", vcenter)


def generate(sizes: Sizes, log=print) -> None:
    """Fill an empty (migrated) database."""
    from django.db import connection

    base = fixtures()
    _templates_and_orch_tasks(base, sizes)
    vcenter = _vcenter(base)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        for label, sql, params in _statements(base, sizes, vcenter):
            t = time.perf_counter()
            cursor.execute(sql.replace(" % ", " %% "), params)  # modulo, not a placeholder
            log(f"  {label}: {cursor.rowcount} rows, {time.perf_counter() - t:.1f} s")
        for table in ("orchestration_execution", "orchestration_taskexecution", "orchestration_executionlog",
                      "vsphere_vspheretask"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"generated in {time.perf_counter() - started:.0f} s")


def _templates_and_orch_tasks(base: Fixtures, sizes: Sizes) -> None:
    from orchestration.models import OrchTask, Region
    from templates_app.services.templates import create_template

    for i in range(sizes.templates):
        create_template(tenant=base.tenant_a if i % 4 else base.tenant_b, actor=base.admin,
                        name=f"bench-template-{i:04d}", content=SMALL_CONTENT)
    region, _ = Region.objects.get_or_create(pk="cn-bench", defaults={"alias": "bench"})
    OrchTask.objects.bulk_create([
        OrchTask(tenant=base.tenant_a if i % 4 else base.tenant_b, region=region, name=f"orch-{i:04d}",
                 task_type="StartInOrder") for i in range(sizes.orch_tasks)])


def _vcenter(base: Fixtures):
    from vsphere.models import EntityType, InventoryObject, VCenter

    vcenter = VCenter(name="bench-vc", host="vc.invalid", user="u", sync_enabled=False)
    vcenter.set_password("p")
    vcenter.save()
    VCenter.objects.filter(pk=vcenter.pk).update(vsphere_uuid=VCENTER_UUID)
    vcenter.tenants.add(base.tenant_a)
    InventoryObject.objects.bulk_create([
        InventoryObject(vcenter=vcenter, moref="datacenter-2", type=EntityType.DATACENTER, name="DC0",
                        path="/group-d1/datacenter-2/", datacenter="datacenter-2"),
        InventoryObject(vcenter=vcenter, moref="host-3", type=EntityType.HOST, name="H3",
                        path="/group-d1/datacenter-2/group-h5/host-3/", datacenter="datacenter-2", host="host-3"),
        InventoryObject(vcenter=vcenter, moref="group-v4", type=EntityType.FOLDER, name="vm",
                        path="/group-d1/datacenter-2/group-v4/", datacenter="datacenter-2"),
        InventoryObject(vcenter=vcenter, moref="vm-7", type=EntityType.VM, name="VM7",
                        path="/group-d1/datacenter-2/group-v4/vm-7/", datacenter="datacenter-2", host="host-3"),
    ])
    return vcenter


def _statements(base: Fixtures, sizes: Sizes, vcenter) -> list[tuple[str, str, list]]:
    n, a, b = sizes.executions, base.tenant_a.pk, base.tenant_b.pk
    year = 365 * DAY
    executions = f"""
        INSERT INTO orchestration_execution (id, tenant_id, template_name, template_version, template_content,
            description, parameters, outputs, mode, loop_mode, safety_check, status, status_message, status_reason,
            counters, current_tasks, executed_by, client_token, trigger, created_at, start_date, end_date,
            updated_at, state, cancel_requested, cancel_requested_by, lease_owner, parent_id)
        SELECT 'exec-' || lpad(to_hex(g), 20, '0'), CASE WHEN g % 10 < 7 THEN %s ELSE %s END,
            'bench-template-' || lpad((g % 200)::text, 4, '0'), 'v1', %s, '', '{{}}', '{{}}',
            CASE WHEN g % 100 = 0 THEN 'Debug' ELSE 'Automatic' END, 'Automatic', 'Skip',
            CASE WHEN g > {n} - 200 THEN 'Running' WHEN g % 20 = 3 THEN 'Failed' WHEN g % 50 = 7 THEN 'Cancelled'
                 ELSE 'Success' END, '', '', '{{}}', '[]', 'user' || (g % 20), '',
            (ARRAY['Manual', 'Timer', 'API'])[1 + g % 3], c, c + interval '1 second',
            CASE WHEN g > {n} - 200 THEN NULL ELSE c + (g % 600) * interval '1 second' END, c, '{{}}', false, '', '',
            CASE WHEN g % 50 = 1 AND g > 1 THEN 'exec-' || lpad(to_hex(g - 1), 20, '0') END
        FROM generate_series(1, {n}) g,
             LATERAL (SELECT now() - ({n} - g) * interval '{year / n} seconds' AS c) t"""
    # Three task executions and three log lines per execution, linked by id.
    tasks = """
        INSERT INTO orchestration_taskexecution (id, execution_id, tenant_id, task_name, task_action, properties,
            outputs, status, status_message, tries, extra, created_at, start_date, end_date, updated_at)
        SELECT e.id || '.t' || k, e.id, e.tenant_id, 'step' || k, 'ACS::Sleep', '{"Duration": "PT0S"}', '{}',
            CASE WHEN e.status = 'Running' THEN 'Running' WHEN e.status = 'Failed' AND k = 3 THEN 'Failed'
                 ELSE 'Success' END, '', 1, '{}', e.created_at + k * interval '1 second',
            e.created_at + k * interval '1 second',
            CASE WHEN e.status <> 'Running' THEN e.created_at + (k + 1) * interval '1 second' END, e.created_at
        FROM orchestration_execution e, generate_series(1, 3) k WHERE e.id <> %s"""
    logs = """
        INSERT INTO orchestration_executionlog (execution_id, tenant_id, task_execution_id, created_at, log_type,
            message)
        SELECT e.id, e.tenant_id, e.id || '.t' || k, e.created_at + k * interval '1 second',
            (ARRAY['Execution', 'TaskExecution', 'Action'])[k], 'step' || k || ' did what it had to do'
        FROM orchestration_execution e, generate_series(1, 3) k WHERE e.id <> %s ORDER BY e.created_at, k"""
    return [
        ("executions", executions, [a, b, SMALL_CONTENT]),
        ("big execution", *_big_execution(base, sizes)),
        ("big execution's task executions", *_big_tasks(sizes, a)),
        ("task executions", tasks, [BIG_ID]),
        ("log lines", logs, [BIG_ID]),
        ("big execution's log lines", *_big_logs(sizes, a)),
        ("vSphere tasks", *_vsphere_tasks(sizes, vcenter)),
    ]


def _big_execution(base: Fixtures, sizes: Sizes) -> tuple[str, list]:
    sql = """
        INSERT INTO orchestration_execution (id, tenant_id, template_name, template_version, template_content,
            description, parameters, outputs, mode, loop_mode, safety_check, status, status_message, status_reason,
            counters, current_tasks, executed_by, client_token, trigger, created_at, start_date, updated_at, state,
            cancel_requested, cancel_requested_by, lease_owner)
        VALUES (%s, %s, 'bench-big', 'v1', %s, 'the big one', '{}', '{}', 'Automatic', 'Automatic', 'Skip',
            'Running', '', '', '{}', '["each"]', 'user1', '', 'Manual', now() - interval '1 hour',
            now() - interval '1 hour', now(), '{}', false, '', '')"""
    return sql, [BIG_ID, base.tenant_a.pk, big_content(sizes.big_items)]


def _big_tasks(sizes: Sizes, tenant_id: int) -> tuple[str, list]:
    items = sizes.big_items - 3  # prepare, the loop, finish, and the loop's items
    done = items * 9 // 10
    loop = {"items": list(range(items)), "next": items, "running": items - done, "succeeded": done - 5,
            "failed": 5, "concurrency": 20, "max_errors": 10, "batch_ends": [], "batch": 0, "outputs": {}}
    sql = f"""
        WITH top AS (
            INSERT INTO orchestration_taskexecution (id, execution_id, tenant_id, task_name, task_action, properties,
                outputs, status, status_message, tries, extra, created_at, start_date, updated_at)
            VALUES (%(big)s || '.t0001', %(big)s, %(tenant)s, 'prepare', 'ACS::Sleep', '{{}}', '{{}}', 'Success', '',
                    1, '{{}}',
                    now() - interval '1 hour', now() - interval '1 hour', now()),
                   (%(big)s || '.t0002', %(big)s, %(tenant)s, 'each', 'ACS::Sleep', '{{}}', '{{}}', 'Running', '',
                    1, %(loop)s,
                    now() - interval '59 minutes', now() - interval '59 minutes', now())
            RETURNING id)
        INSERT INTO orchestration_taskexecution (id, execution_id, tenant_id, task_name, task_action, properties,
            outputs, status, status_message, tries, extra, created_at, start_date, end_date, updated_at, loop_item,
            loop_index, parent_task_execution_id)
        SELECT %(big)s || '.t0002.' || i, %(big)s, %(tenant)s, 'each', 'ACS::Sleep', '{{"Duration": "PT0S"}}', '{{}}',
            CASE WHEN i >= {done} THEN 'Running' WHEN i < 5 THEN 'Failed' ELSE 'Success' END, '', 1, '{{}}',
            now() - interval '59 minutes' + i * interval '10 ms', now() - interval '59 minutes' + i * interval '10 ms',
            CASE WHEN i < {done} THEN now() - interval '58 minutes' + i * interval '10 ms' END, now(),
            to_jsonb(i), i, %(big)s || '.t0002'
        FROM generate_series(0, {items - 1}) i"""
    return sql, {"big": BIG_ID, "tenant": tenant_id, "loop": json.dumps({"loop": loop})}


def _big_logs(sizes: Sizes, tenant_id: int) -> tuple[str, list]:
    items = sizes.big_items - 3
    sql = f"""
        INSERT INTO orchestration_executionlog (execution_id, tenant_id, task_execution_id, created_at, log_type,
            message)
        SELECT %s, %s, %s || '.t0002.' || (g % {items}), now() - interval '59 minutes' + g * interval '1 ms',
            (ARRAY['Execution', 'TaskExecution', 'Action'])[1 + g % 3], 'item ' || (g % {items}) || ' line ' || g
        FROM generate_series(1, {sizes.big_logs}) g"""
    return sql, [BIG_ID, tenant_id, BIG_ID]


def _vsphere_tasks(sizes: Sizes, vcenter) -> tuple[str, list]:
    n = sizes.vsphere_tasks
    sql = f"""
        INSERT INTO vsphere_vspheretask (vcenter_id, key, task_reference, name, name_en, method_name,
            description_id, entity, entity_type, entity_moref, target, status, progress, detail, "user",
            create_time, start_time, finish_time, message, cancelable, cancelled, parent_task_key, root_task_key,
            entity_path, datacenter, host, task, fingerprint, synced_at)
        SELECT %s, 'task-' || g, 'Task:task-' || g, '打开虚拟机电源', 'Power On virtual machine', 'PowerOnVM_Task',
            'VirtualMachine.powerOn', 'VirtualMachine:vm-' || (g % 1000), 'VirtualMachine', 'vm-' || (g % 1000),
            'VM' || (g % 1000), CASE WHEN g > {n} - 20 THEN 'running' WHEN g % 30 = 0 THEN 'error' ELSE 'success' END,
            100, '', 'VSPHERE.LOCAL\\admin', t, t + 1, t + 5, '', false, false, '', '',
            '/group-d1/datacenter-2/group-v4/vm-' || (g % 1000) || '/', 'datacenter-2', 'host-' || (g % 10),
            '{{}}', '', now()
        FROM generate_series(1, {n}) g,
             LATERAL (SELECT extract(epoch FROM now())::bigint - ({n} - g) * {365 * DAY // n or 1} AS t) x"""
    return sql, [vcenter.pk]
