"""Indexes for the lists at a million rows (bench/lists.py names the query each one serves).

Every ordering a list offers gets an index leading with the tenant and ending with the
primary key (the keyset tie-breaker), so a page is an index range scan at any depth.
Built with CREATE INDEX CONCURRENTLY on PostgreSQL (writes go on meanwhile).
"""
from django.db import migrations, models

from orchestration.models.concurrent_indexes import AddIndexConcurrently


def index(model: str, fields: list[str], name: str) -> AddIndexConcurrently:
    return AddIndexConcurrently(model_name=model, index=models.Index(fields=fields, name=name))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orchestration", "0010_execution_rows_tenant"),
    ]

    operations = [
        index("execution", ["tenant", "created_at", "id"], "execution_tenant_created_idx"),
        index("execution", ["tenant", "start_date", "id"], "execution_tenant_started_idx"),
        index("execution", ["tenant", "end_date", "id"], "execution_tenant_ended_idx"),
        index("execution", ["tenant", "status", "id"], "execution_tenant_bystatus_idx"),
        index("taskexecution", ["tenant", "created_at", "id"], "taskexec_tenant_created_idx"),
        index("taskexecution", ["tenant", "start_date", "id"], "taskexec_tenant_started_idx"),
        index("taskexecution", ["tenant", "end_date", "id"], "taskexec_tenant_ended_idx"),
        index("taskexecution", ["tenant", "status", "id"], "taskexec_tenant_status_idx"),
        index("taskexecution", ["execution", "created_at", "id"], "taskexec_exec_created_idx"),
    ]
