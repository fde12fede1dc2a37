"""A loop's items in item order, and one index fewer on every task execution written.

``bench/lists.py`` ("console big execution loop items"): a page of a 10,000-item loop
sorted all of its items by ``(loop_index, created_at, id)`` in parallel workers (~15 ms
of a ~55 ms page); ``taskexec_parent_items_idx`` hands them over in order.

The foreign key's own indexes (a B-tree and its ``varchar_pattern_ops`` twin) go: this
index and ``taskexec_parent_status_idx`` both lead with the column, so lookups by parent
(and the cascade on delete) keep an index, and the engine writes two indexes fewer per
task execution. Built and dropped concurrently (non-atomic migration): runs go on.
"""
from django.db import migrations, models

from orchestration.models.concurrent_indexes import AddIndexConcurrently

TABLE, COLUMN = "orchestration_taskexecution", "parent_task_execution_id"
KEPT = {"taskexec_parent_status_idx", "taskexec_parent_items_idx"}


def _fk_indexes(schema_editor) -> list[str]:
    """The indexes Django made for the foreign key alone (their names are hashed)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [name for name, c in constraints.items()
            if c["index"] and not c["primary_key"] and not c["unique"] and c["columns"] == [COLUMN]
            and name not in KEPT]


def drop_fk_indexes(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name in _fk_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {schema_editor.quote_name(name)}")


def create_fk_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS taskexec_parent_fk_idx ON {TABLE} ({COLUMN})")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orchestration", "0016_execution_tenant_status_statistics"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="taskexecution",
            index=models.Index(fields=["parent_task_execution", "loop_index", "created_at", "id"],
                               name="taskexec_parent_items_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="taskexecution",
                    name="parent_task_execution",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=models.deletion.CASCADE, related_name="children",
                                            to="orchestration.taskexecution"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_fk_indexes, create_fk_index, elidable=False)],
        ),
    ]
