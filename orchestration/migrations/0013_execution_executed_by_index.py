"""``?executed_by=`` within a tenant (bench/lists.py "executions ?executed_by="): a user with no
execution in the tenant made the list walk all of them. Built concurrently on PostgreSQL."""
from django.db import migrations, models

from orchestration.models.concurrent_indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orchestration", "0012_execution_search_trigrams"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="execution",
            index=models.Index(fields=["tenant", "executed_by", "created_at", "id"], name="execution_tenant_by_idx"),
        ),
    ]
