"""Indexes for the vSphere task lists at a million synced tasks (bench/lists.py names each query).

- ``(create_time DESC, id DESC)``: the admin changelist as platform staff lists every
  vCenter's tasks newest first; without it each page sorted the whole table.
- GIN trigram indexes on ``UPPER(column)`` for the "contains" searches: the task API's
  ``filter_name`` (name, name_en, target, entity, user) and the admin's search (those
  and ``key``) match ``UPPER(column) LIKE UPPER('%…%')`` OR-ed over the columns, which no
  B-tree answers; with every branch indexed PostgreSQL ORs the bitmaps instead of
  reading the table. PostgreSQL only, as in ``orchestration`` 0012: SQLite has no
  trigrams, and a role that may not create ``pg_trgm`` leaves the searches unindexed.

Built concurrently (non-atomic migration): syncing goes on while they build.
"""
import logging

from django.db import DatabaseError, migrations, models

from orchestration.models.concurrent_indexes import AddIndexConcurrently

SEARCHED = ("name", "name_en", "target", "entity", "user", "key")


def create_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # a role that may not create extensions: searches still work, by scanning
        logging.getLogger(__name__).warning("pg_trgm unavailable: vSphere task searches stay unindexed")
        return
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS vspheretask_{column}_trgm ON vsphere_vspheretask "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS vspheretask_{column}_trgm")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("vsphere", "0003_vsphere_events"),
        ("orchestration", "0012_execution_search_trigrams"),  # pg_trgm is created there first when it can be
    ]

    operations = [
        AddIndexConcurrently(
            model_name="vspheretask",
            index=models.Index(fields=["-create_time", "-id"], name="vspheretask_time_idx"),
        ),
        migrations.RunPython(create_trigrams, drop_trigrams, elidable=False),
    ]
