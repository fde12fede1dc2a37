"""How synced tasks are stored: what a sync compares against, the upsert, retention.

A sync asks :func:`prefetch` for the stored fingerprints before it reads the vCenter
(on PostgreSQL the query runs while the read is under way), converts only the tasks
whose fingerprint changed, and hands them to :func:`upsert`.
"""
from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime, timedelta
from functools import cache

import orjson
import psycopg
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from vsphere.models import UNFINISHED_STATES, InventoryObject, VCenter, VSphereTask

Stored = dict[str, tuple[str, bool]]  # key -> (fingerprint, unfinished)

# recentTask keeps at most 200 tasks; twice that covers it with room for late arrivals.
PREFETCH_NEWEST = 400
# Rows per upsert statement: small enough that the first is written while the rest are converted.
UPSERT_CHUNK = 50
RETENTION_CHECK_SECONDS = 600
UPSERT_FIELDS = [
    "task_reference", "name", "name_en", "method_name", "description_id", "entity", "entity_type", "entity_moref",
    "target", "status", "progress", "detail", "user", "create_time", "start_time", "finish_time", "message",
    "cancelable", "cancelled", "parent_task_key", "root_task_key", "event_chain_id", "entity_path", "datacenter",
    "host", "task", "fingerprint", "synced_at",
]
ROW_COLUMNS = ["key", *[name for name in UPSERT_FIELDS if name != "synced_at"]]  # what a row dict carries
_PLACE_FIELDS = {"entity_path": "path", "datacenter": "datacenter", "host": "host"}  # task field: inventory field

_last_purge: dict[int, float] = {}


def _prefetch_queryset(vcenter: VCenter):
    """Unfinished tasks, and the newest ``PREFETCH_NEWEST`` by queue time (the vCenter's clock, not ours)."""
    nth_newest = (VSphereTask.objects.filter(vcenter=vcenter, create_time__isnull=False)
                  .order_by("-create_time").values("create_time")[PREFETCH_NEWEST - 1:PREFETCH_NEWEST])
    return (VSphereTask.objects.filter(vcenter=vcenter)
            .filter(Q(status__in=UNFINISHED_STATES) | Q(create_time__gte=Coalesce(Subquery(nth_newest), 0)))
            .order_by().values_list("key", "fingerprint", "status"))


def _stored(rows) -> Stored:
    return {key: (fp, status in UNFINISHED_STATES) for key, fp, status in rows}


@contextmanager
def prefetch(vcenter: VCenter) -> Iterator[Callable[[], Stored]]:
    """Yield a function giving the stored rows a sync will likely read again.

    Those are the unfinished tasks (refreshed until they finish) and the newest ones;
    a row it misses (an old task from the history) is still written only if its
    fingerprint changed (see :func:`upsert`). On PostgreSQL the query is sent at once in
    psycopg's pipeline mode and its result collected when first asked for, so the
    database answers while the caller reads the vCenter.
    """
    queryset = _prefetch_queryset(vcenter)
    if db_connection.vendor != "postgresql":
        found = _stored(queryset)
        yield lambda: found
        return
    sql, params = queryset.query.sql_with_params()
    db_connection.ensure_connection()
    raw = db_connection.connection
    result: list[Stored] = []
    with _pipeline(raw), psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params)

        def found() -> Stored:
            if not result:
                result.append(_stored(cursor.fetchall()))
            return result[0]

        yield found
        found()  # the pipeline must not close with its result unread


def upsert(vcenter: VCenter, rows: Iterable[dict], now: datetime) -> tuple[int, int]:
    """Insert new rows and update changed ones, in one transaction; returns (created, updated).

    ``rows`` are column values by field name. A row whose stored fingerprint equals its
    own is left alone (not counted). New rows, and stored rows not placed yet, are
    placed from the inventory (entity_path, datacenter and host of their entity, or
    empty); a stored place is kept.

    On PostgreSQL ``rows`` is consumed lazily in chunks of ``UPSERT_CHUNK``, each sent
    at once as one statement in psycopg's pipeline mode, so the database writes a
    chunk while the caller converts the next. A chunk travels as one JSON parameter
    (bound server-side, not quoted into the SQL) unpacked by ``json_to_recordset`` and
    joined to the inventory: Django's ``bulk_create`` (an array per column, quoted in
    Python) took longer than reading the tasks from the vCenter. Elsewhere (SQLite):
    one query for the stored rows, one inventory query and one ``executemany``.
    """
    if db_connection.vendor != "postgresql":
        return _upsert_portable(vcenter, list(rows), now)
    chunks = _chunks(rows, UPSERT_CHUNK)
    first = next(chunks, None)
    if first is None:
        return 0, 0
    db_connection.ensure_connection()
    raw = db_connection.connection
    cursors: list[psycopg.Cursor] = []
    try:
        with transaction.atomic(), _pipeline(raw):
            for chunk in itertools.chain([first], chunks):
                cursors.append(psycopg.Cursor(raw))
                cursors[-1].execute(_upsert_sql(), [vcenter.pk, now, orjson.dumps(chunk).decode(), vcenter.pk])
            inserted = [flag for cursor in cursors for (flag,) in cursor.fetchall()]
    finally:
        for cursor in cursors:
            cursor.close()
    return sum(inserted), len(inserted) - sum(inserted)


def _pipeline(raw: psycopg.Connection) -> AbstractContextManager:
    """psycopg's pipeline mode (libpq 14 or newer); without it the statements simply wait in turn."""
    return raw.pipeline() if psycopg.Pipeline.is_supported() else nullcontext()


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _upsert_portable(vcenter: VCenter, rows: list[dict], now: datetime) -> tuple[int, int]:
    """SQLite's upsert: the stored rows in one query, then one ``executemany``.

    ``bulk_create`` compiled every value in Python (33 rows per statement on SQLite)
    and cost about as much as reading the tasks; the driver's own loop does not.
    """
    existing = {
        key: (fp, place)
        for key, fp, *place in VSphereTask.objects.filter(vcenter=vcenter, key__in=[row["key"] for row in rows])
        .values_list("key", "fingerprint", "entity_path", "datacenter", "host")
    }
    rows = [row for row in rows if existing.get(row["key"], ("",))[0] != row["fingerprint"]]
    for row in rows:
        place = existing.get(row["key"], ("", ["", "", ""]))[1]
        if place[0]:
            row["entity_path"], row["datacenter"], row["host"] = place
    _place(vcenter, [row for row in rows if not row.get("entity_path")])
    synced_at = db_connection.ops.adapt_datetimefield_value(now)
    values = [
        (vcenter.pk, synced_at, *[orjson.dumps(row[n]).decode() if n == "task" else row[n] for n in ROW_COLUMNS])
        for row in rows
    ]
    with transaction.atomic(), db_connection.cursor() as cursor:
        cursor.executemany(_portable_sql(), values)
    created = sum(1 for row in rows if row["key"] not in existing)
    return created, len(rows) - created


@cache
def _portable_sql() -> str:
    quote = db_connection.ops.quote_name
    vcenter_column = VSphereTask._meta.get_field("vcenter").column
    names = [vcenter_column, "synced_at", *ROW_COLUMNS]
    return (
        f"INSERT INTO {quote(VSphereTask._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({quote(vcenter_column)}, {quote('key')}) DO UPDATE SET "
        + ", ".join(f"{quote(n)} = excluded.{quote(n)}" for n in UPSERT_FIELDS)
    )


@cache
def _upsert_sql() -> str:
    quote = db_connection.ops.quote_name
    fields = {f.name: f for f in VSphereTask._meta.concrete_fields}
    inventory = {f.name: f.column for f in InventoryObject._meta.concrete_fields}
    # Types without their length so an over-long value fails at the INSERT, as with bulk_create.
    record = ", ".join(f"{quote(name)} {fields[name].db_type(db_connection).split('(')[0]}" for name in ROW_COLUMNS)
    placed = "r.{path} <> ''".format(path=quote("entity_path"))
    values = [
        f"CASE WHEN {placed} THEN r.{quote(name)} ELSE COALESCE(i.{quote(inventory[_PLACE_FIELDS[name]])}, '') END"
        if name in _PLACE_FIELDS else f"r.{quote(name)}"
        for name in ROW_COLUMNS
    ]
    unplaced = f"t.{quote('entity_path')} = ''"
    updates = [
        f"{quote(n)} = CASE WHEN {unplaced} THEN EXCLUDED.{quote(n)} ELSE t.{quote(n)} END"
        if n in _PLACE_FIELDS else f"{quote(n)} = EXCLUDED.{quote(n)}"
        for n in UPSERT_FIELDS
    ]
    # (xmax = 0) is true for an inserted row, false for an updated one; skipped rows return nothing.
    return (
        f"INSERT INTO {quote(VSphereTask._meta.db_table)} AS t "
        f"({quote(fields['vcenter'].column)}, {quote('synced_at')}, {', '.join(quote(n) for n in ROW_COLUMNS)}) "
        f"SELECT %s, %s, {', '.join(values)} "
        f"FROM json_to_recordset(%s::json) AS r({record}) "
        f"LEFT JOIN {quote(InventoryObject._meta.db_table)} AS i ON i.{quote(inventory['vcenter'])} = %s "
        f"AND i.{quote(inventory['moref'])} = r.{quote('entity_moref')} AND r.{quote('entity_moref')} <> '' "
        f"AND NOT COALESCE({placed}, false) "
        f"ON CONFLICT ({quote(fields['vcenter'].column)}, {quote('key')}) DO UPDATE SET {', '.join(updates)} "
        f"WHERE t.{quote('fingerprint')} IS DISTINCT FROM EXCLUDED.{quote('fingerprint')} "
        f"RETURNING (xmax = 0)"
    )


def _place(vcenter: VCenter, rows: list[dict]) -> None:
    """Fill entity_path, datacenter and host of ``rows`` from the inventory (one query)."""
    morefs = {row["entity_moref"] for row in rows if row["entity_moref"]}
    places = {
        moref: (path, dc, host)
        for moref, path, dc, host in InventoryObject.objects.filter(vcenter=vcenter, moref__in=morefs)
        .values_list("moref", "path", "datacenter", "host")
    } if morefs else {}
    for row in rows:
        row["entity_path"], row["datacenter"], row["host"] = places.get(row["entity_moref"], ("", "", ""))


def purge_expired(vcenter: VCenter, *, force: bool = False) -> int:
    """Delete tasks older than the vCenter's retention (at most every 10 minutes per process)."""
    now = time.monotonic()
    if not force and now - _last_purge.get(vcenter.pk, -RETENTION_CHECK_SECONDS) < RETENTION_CHECK_SECONDS:
        return 0
    _last_purge[vcenter.pk] = now
    cutoff = int((timezone.now() - timedelta(days=vcenter.task_retention_days)).timestamp())
    return VSphereTask.objects.filter(vcenter=vcenter, create_time__lt=cutoff).delete()[0]
