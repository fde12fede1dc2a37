"""Statistics that tell PostgreSQL how statuses spread over tenants (bench/lists.py: "console dashboard").

The planner assumes ``tenant_id`` and ``status`` independent: for a tenant with no
Cancelled run it expected thousands, chose the status-only index and read every other
tenant's cancelled rows to count none (167 ms; 1 ms with the tenant-and-status index it
picks once it knows). A multivariate MCV list on the pair corrects that estimate, and the
estimated counts the lists and the dashboard show beyond their exact cap. PostgreSQL only;
``ANALYZE`` (autovacuum) fills it.
"""
from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE STATISTICS IF NOT EXISTS execution_tenant_status_stats (mcv) "
                              "ON tenant_id, status FROM orchestration_execution")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS execution_tenant_status_stats")


class Migration(migrations.Migration):
    dependencies = [
        ("orchestration", "0015_parameter_store"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
