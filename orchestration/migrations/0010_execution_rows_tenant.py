"""Task executions and log lines carry their execution's tenant (filled in batches).

Non-atomic: each batch commits on its own, so a table of millions of rows is never held
under one long transaction, and the engine keeps writing meanwhile (its new rows carry
the tenant already).
"""
import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000  # executions per batch


def fill(apps, schema_editor):
    Execution = apps.get_model("orchestration", "Execution")
    rows = [apps.get_model("orchestration", name) for name in ("TaskExecution", "ExecutionLog")]
    last = ""
    while True:
        chunk = list(Execution.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "tenant_id")[:BATCH])
        if not chunk:
            return
        by_tenant = {}
        for pk, tenant_id in chunk:
            by_tenant.setdefault(tenant_id, []).append(pk)
        for model in rows:
            for tenant_id, ids in by_tenant.items():
                model.objects.filter(execution_id__in=ids, tenant__isnull=True).update(tenant_id=tenant_id)
        last = chunk[-1][0]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orchestration", "0009_timertrigger_execution_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskexecution",
            name="tenant",
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="orchestration.tenant"),
        ),
        migrations.AddField(
            model_name="executionlog",
            name="tenant",
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="orchestration.tenant"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
