"""Incremental task sync: recent tasks, the task history, and unfinished tasks, upserted.

Each run reads, in as few round trips as the server allows:

1. ``TaskManager.recentTask`` — every TaskInfo in one ``RetrievePropertiesEx``
   (recent tasks stay ~10 minutes after completion, at most 200);
2. the task history since the last watermark through a ``TaskHistoryCollector``
   (created and always destroyed in ``finally``: collectors are per session and
   capped). Servers without it (``MethodNotFound``, e.g. govmomi's simulator) are
   remembered on the vCenter row and skipped;
3. tasks stored as queued/running but in neither list, refreshed by moref until they finish.

Results are deduplicated by ``key`` and compared by fingerprint with the stored rows;
only new and changed rows are written, in one upsert. Retention deletes old rows.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone
from pyVmomi import vim, vmodl

from vsphere.models import UNFINISHED_STATES, InventoryObject, VCenter, VSphereTask

from . import connection, task_labels
from .task_info import fingerprint, method_name, row_values
from .task_labels import task_names

logger = logging.getLogger(__name__)

PC = vmodl.query.PropertyCollector
HISTORY_PAGE = 1000
HISTORY_OVERLAP = timedelta(minutes=5)
RETENTION_CHECK_SECONDS = 600
UPSERT_FIELDS = [
    "task_reference", "name", "name_en", "method_name", "description_id", "entity", "entity_type", "entity_moref",
    "target", "status", "progress", "detail", "user", "create_time", "start_time", "finish_time", "message",
    "cancelable", "cancelled", "parent_task_key", "root_task_key", "event_chain_id", "entity_path", "datacenter",
    "host", "task", "fingerprint", "synced_at",
]

_last_purge: dict[int, float] = {}
_unreadable: set[tuple[str, str]] = set()  # task morefs pyVmomi failed to deserialize, skipped from then on


@dataclass
class TaskSyncResult:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    purged: int = 0
    history: bool | None = None
    seconds: float = 0.0
    keys: list[str] = field(default_factory=list, repr=False)


def _retrieve(si: vim.ServiceInstance, spec) -> list:
    collector = si.content.propertyCollector
    result = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=1000))
    infos = []
    while result is not None:
        infos.extend(prop.val for item in result.objects for prop in item.propSet if prop.name == "info")
        if not result.token:
            break
        result = collector.ContinueRetrievePropertiesEx(result.token)
    return infos


def read_recent(si: vim.ServiceInstance) -> list:
    """Every TaskInfo of ``TaskManager.recentTask`` in one round trip.

    pyVmomi rejects a whole response if one TaskInfo does not fit its types (the
    simulator reports some tasks on a VirtualDiskManager entity); then the tasks are
    read again in halves so only the unreadable ones are skipped.
    """
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=si.content.taskManager, skip=True, selectSet=[
            PC.TraversalSpec(name="recent", type=vim.TaskManager, path="recentTask", skip=False)])],
        propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info"])],
    )
    try:
        return _retrieve(si, spec)
    except (TypeError, ValueError, AttributeError):
        morefs = [task._moId for task in si.content.taskManager.recentTask or []]
        uuid = si.content.about.instanceUuid
        return _read_tolerant(si, [moref for moref in morefs if (uuid, moref) not in _unreadable])


def _read_tolerant(si: vim.ServiceInstance, morefs: list[str]) -> list:
    if not morefs:
        return []
    try:
        return read_tasks(si, morefs)
    except (TypeError, ValueError, AttributeError):
        if len(morefs) == 1:
            logger.warning("skipping vSphere task %s: pyVmomi cannot read its TaskInfo", morefs[0])
            _unreadable.add((si.content.about.instanceUuid, morefs[0]))
            return []
        middle = len(morefs) // 2
        return _read_tolerant(si, morefs[:middle]) + _read_tolerant(si, morefs[middle:])


def read_tasks(si: vim.ServiceInstance, morefs: list[str]) -> list:
    """TaskInfos of known task morefs; tasks the server has forgotten are skipped."""
    remaining = list(dict.fromkeys(morefs))
    for _ in range(len(remaining) + 1):
        if not remaining:
            return []
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=vim.Task(moref, si._stub), skip=False) for moref in remaining],
            propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info"])],
        )
        try:
            return _retrieve(si, spec)
        except vmodl.fault.ManagedObjectNotFound as exc:
            missing = getattr(exc.obj, "_moId", None)
            if missing not in remaining:
                return []
            remaining.remove(missing)
    return []


def read_history(si: vim.ServiceInstance, since) -> list | None:
    """Tasks queued since ``since`` from a TaskHistoryCollector, or None if the server has none."""
    manager = si.content.taskManager
    spec = vim.TaskFilterSpec(time=vim.TaskFilterSpec.ByTime(timeType="queuedTime", beginTime=since))
    try:
        collector = manager.CreateCollectorForTasks(spec)
    except (vmodl.fault.MethodNotFound, vmodl.fault.NotSupported, vmodl.fault.NotImplemented):
        return None
    try:
        collector.RewindCollector()
        infos: list = []
        while True:
            page = collector.ReadNextTasks(HISTORY_PAGE)
            if not page:
                return infos
            infos.extend(page)
    finally:
        try:
            collector.DestroyCollector()
        except Exception:  # the session may have died; its collectors went with it
            logger.debug("DestroyCollector failed", exc_info=True)


def fetch(vcenter: VCenter, unfinished: list[str]) -> tuple[list, bool | None, object]:
    """(infos deduplicated by key, whether history was read, labels) in one pooled session."""

    def work(si):
        labels = task_labels.labels_for(vcenter.pk, connection.settings_hash(vcenter), si)
        by_key: dict[str, object] = {}
        history = None
        if vcenter.task_history_supported is not False:
            since = vcenter.task_history_until - HISTORY_OVERLAP if vcenter.task_history_until else (
                timezone.now() - timedelta(days=vcenter.task_retention_days))
            found = read_history(si, since)
            history = found is not None
            for info in found or []:
                by_key[info.key] = info
        for info in read_recent(si):  # fresher than the history's copy
            by_key[info.key] = info
        missing = [key for key in unfinished if key not in by_key]
        for info in _read_tolerant(si, missing):
            by_key[info.key] = info
        return list(by_key.values()), history, labels

    return connection.call(vcenter, work)


def sync_tasks(vcenter: VCenter) -> TaskSyncResult:
    """One incremental sync of ``vcenter``'s tasks. Raises ``VSphereError`` if the vCenter fails."""
    started = time.monotonic()
    unfinished = list(VSphereTask.objects.filter(vcenter=vcenter, status__in=UNFINISHED_STATES)
                      .values_list("key", flat=True))
    infos, history, labels = fetch(vcenter, unfinished)
    result = TaskSyncResult(fetched=len(infos), history=history)

    stored = {
        key: (fp, path, dc, host)
        for key, fp, path, dc, host in VSphereTask.objects.filter(
            vcenter=vcenter, key__in=[info.key for info in infos]
        ).values_list("key", "fingerprint", "entity_path", "datacenter", "host")
    }
    rows = []

    for info in infos:
        previous = stored.get(info.key)
        fp = fingerprint(info)
        if previous is not None and previous[0] == fp:
            continue
        values = row_values(info, task_names(labels, info.descriptionId or "", method_name(info.name)), fp)
        values["key"] = info.key
        if previous is not None:
            values["entity_path"], values["datacenter"], values["host"] = previous[1:]
            result.updated += 1
        else:
            result.created += 1
        rows.append(values)

    if rows:
        upsert(vcenter, rows, timezone.now())
    _record_history(vcenter, history, infos)
    result.purged = purge_expired(vcenter)
    result.keys = [row["key"] for row in rows]
    result.seconds = time.monotonic() - started
    return result


def upsert(vcenter: VCenter, rows: list[dict], now) -> None:
    """Insert or update ``rows`` (column values by field name) in one statement.

    Rows without an ``entity_path`` are placed from the inventory (entity_path,
    datacenter, host of their entity, or empty). On PostgreSQL the rows travel as one
    JSON parameter unpacked by ``jsonb_to_recordset`` and joined to the inventory in
    the same statement: Django's ``bulk_create`` (UNNEST of one array per column, each
    quoted in Python) took longer than reading the tasks from the vCenter. Elsewhere
    one inventory query and ``bulk_create``.
    """
    if db_connection.vendor != "postgresql":
        _place(vcenter, [row for row in rows if not row.get("entity_path")])
        with transaction.atomic():
            VSphereTask.objects.bulk_create(
                [VSphereTask(vcenter=vcenter, synced_at=now, **row) for row in rows],
                batch_size=500, update_conflicts=True, unique_fields=["vcenter", "key"], update_fields=UPSERT_FIELDS,
            )
        return
    with db_connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [vcenter.pk, now, json.dumps(rows, separators=(",", ":")), vcenter.pk])


_UPSERT_SQL: list[str] = []
_PLACE_FIELDS = {"entity_path": "path", "datacenter": "datacenter", "host": "host"}  # task field: inventory field


def _upsert_sql() -> str:
    if not _UPSERT_SQL:
        quote = db_connection.ops.quote_name
        fields = {f.name: f for f in VSphereTask._meta.concrete_fields}
        inventory = {f.name: f.column for f in InventoryObject._meta.concrete_fields}
        columns = ["key", *[name for name in UPSERT_FIELDS if name != "synced_at"]]
        # Types without their length so an over-long value fails at the INSERT, as with bulk_create.
        record = ", ".join(f"{quote(name)} {fields[name].db_type(db_connection).split('(')[0]}" for name in columns)
        placed = "r.{path} <> ''".format(path=quote("entity_path"))
        values = [
            f"CASE WHEN {placed} THEN r.{quote(name)} ELSE COALESCE(i.{quote(inventory[_PLACE_FIELDS[name]])}, '') END"
            if name in _PLACE_FIELDS else f"r.{quote(name)}"
            for name in columns
        ]
        _UPSERT_SQL.append(
            f"INSERT INTO {quote(VSphereTask._meta.db_table)} "
            f"({quote(fields['vcenter'].column)}, {quote('synced_at')}, {', '.join(quote(n) for n in columns)}) "
            f"SELECT %s, %s, {', '.join(values)} "
            f"FROM jsonb_to_recordset(%s::jsonb) AS r({record}) "
            f"LEFT JOIN {quote(InventoryObject._meta.db_table)} AS i ON i.{quote(inventory['vcenter'])} = %s "
            f"AND i.{quote(inventory['moref'])} = r.{quote('entity_moref')} AND r.{quote('entity_moref')} <> '' "
            f"AND NOT COALESCE({placed}, false) "
            f"ON CONFLICT ({quote(fields['vcenter'].column)}, {quote('key')}) DO UPDATE SET "
            + ", ".join(f"{quote(n)} = EXCLUDED.{quote(n)}" for n in UPSERT_FIELDS)
        )
    return _UPSERT_SQL[0]


def _place(vcenter: VCenter, rows: list[dict]) -> None:
    """Fill entity_path, datacenter and host of new rows from the inventory (one query)."""
    morefs = {row["entity_moref"] for row in rows if row["entity_moref"]}
    if not morefs:
        for row in rows:
            row.setdefault("entity_path", "")
            row.setdefault("datacenter", "")
            row.setdefault("host", "")
        return
    places = {
        moref: (path, dc, host)
        for moref, path, dc, host in InventoryObject.objects.filter(vcenter=vcenter, moref__in=morefs)
        .values_list("moref", "path", "datacenter", "host")
    }
    for row in rows:
        row["entity_path"], row["datacenter"], row["host"] = places.get(row["entity_moref"], ("", "", ""))


def _record_history(vcenter: VCenter, history: bool | None, infos: list) -> None:
    fields = {}
    if history is not None and history != vcenter.task_history_supported:
        fields["task_history_supported"] = history
    if history:
        newest = max((info.queueTime for info in infos if info.queueTime), default=None)
        if newest and (vcenter.task_history_until is None or newest > vcenter.task_history_until):
            fields["task_history_until"] = newest
    if fields:
        VCenter.objects.filter(pk=vcenter.pk).update(**fields)
        for name, value in fields.items():
            setattr(vcenter, name, value)


def purge_expired(vcenter: VCenter, *, force: bool = False) -> int:
    """Delete tasks older than the vCenter's retention (at most every 10 minutes per process)."""
    now = time.monotonic()
    if not force and now - _last_purge.get(vcenter.pk, -RETENTION_CHECK_SECONDS) < RETENTION_CHECK_SECONDS:
        return 0
    _last_purge[vcenter.pk] = now
    cutoff = int((timezone.now() - timedelta(days=vcenter.task_retention_days)).timestamp())
    return VSphereTask.objects.filter(vcenter=vcenter, create_time__lt=cutoff).delete()[0]
