"""Trigram indexes for "contains" searches over executions, on PostgreSQL only.

The native ``?template_name=``, the console's name search and the admin's search
(``id``, ``template_name``, ``executed_by``) match ``UPPER(column) LIKE UPPER('%…%')``,
which no B-tree can answer: at a million executions each was a scan of the table. A GIN
trigram index on exactly that expression answers it (bench/lists.py: "executions
?template_name=", "console execution list ?q=", "admin executions search").

Not in the models' Meta: SQLite (the embedded default) has neither GIN nor trigrams,
and needs none at its size. Built concurrently (non-atomic migration). A database role
that may not create the extension (it is trusted since PostgreSQL 13: the database's
owner may) leaves the searches as they were.
"""
import logging

from django.db import DatabaseError, migrations

COLUMNS = ("id", "template_name", "executed_by")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # a role that may not create extensions: searches still work, by scanning
        logging.getLogger(__name__).warning("pg_trgm unavailable: execution searches stay unindexed")
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS execution_{column}_trgm ON orchestration_execution "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS execution_{column}_trgm")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orchestration", "0011_list_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
