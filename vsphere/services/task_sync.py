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
only new and changed rows are converted and written, in one upsert, and retention
deletes old rows (both in ``task_store``).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from pyVmomi import vim, vmodl

from vsphere.models import VCenter

from . import connection, task_labels, task_store
from .task_info import fingerprint, method_name, row_values
from .task_labels import task_names

logger = logging.getLogger(__name__)

PC = vmodl.query.PropertyCollector
HISTORY_PAGE = 1000
HISTORY_OVERLAP = timedelta(minutes=5)

_unreadable: set[tuple[str, str]] = set()  # task morefs pyVmomi failed to deserialize, skipped from then on


@dataclass
class TaskSyncResult:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    purged: int = 0
    history: bool | None = None
    seconds: float = 0.0


def _retrieve(si: vim.ServiceInstance, spec) -> list:
    collector = connection.content(si).propertyCollector
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
        objectSet=[PC.ObjectSpec(obj=connection.content(si).taskManager, skip=True, selectSet=[
            PC.TraversalSpec(name="recent", type=vim.TaskManager, path="recentTask", skip=False)])],
        propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info"])],
    )
    try:
        return _retrieve(si, spec)
    except (TypeError, ValueError, AttributeError):
        morefs = [task._moId for task in connection.content(si).taskManager.recentTask or []]
        uuid = connection.content(si).about.instanceUuid
        return _read_tolerant(si, [moref for moref in morefs if (uuid, moref) not in _unreadable])


def _read_tolerant(si: vim.ServiceInstance, morefs: list[str]) -> list:
    if not morefs:
        return []
    try:
        return read_tasks(si, morefs)
    except (TypeError, ValueError, AttributeError):
        if len(morefs) == 1:
            logger.warning("skipping vSphere task %s: pyVmomi cannot read its TaskInfo", morefs[0])
            _unreadable.add((connection.content(si).about.instanceUuid, morefs[0]))
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
    manager = connection.content(si).taskManager
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


def fetch(vcenter: VCenter, unfinished: Callable[[], list[str]]) -> tuple[list, bool | None, object]:
    """(infos deduplicated by key, whether history was read, labels) in one pooled session.

    ``unfinished`` gives the keys of tasks stored as unfinished; it is asked only after
    the recent tasks are read, so its query can run meanwhile.
    """

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
        missing = [key for key in unfinished() if key not in by_key]
        for info in _read_tolerant(si, missing):
            by_key[info.key] = info
        return list(by_key.values()), history, labels

    return connection.call(vcenter, work)


def sync_tasks(vcenter: VCenter) -> TaskSyncResult:
    """One incremental sync of ``vcenter``'s tasks. Raises ``VSphereError`` if the vCenter fails."""
    started = time.monotonic()
    with task_store.prefetch(vcenter) as stored:
        infos, history, labels = fetch(vcenter, lambda: [key for key, (_, open_) in stored().items() if open_])
        known = stored()
    result = TaskSyncResult(fetched=len(infos), history=history)

    def changed():  # converted lazily: the upsert writes a chunk while the next is converted
        for info in infos:
            fp = fingerprint(info)
            if known.get(info.key, ("",))[0] != fp:
                values = row_values(info, task_names(labels, info.descriptionId or "", method_name(info.name)), fp)
                values["key"] = info.key
                yield values

    result.created, result.updated = task_store.upsert(vcenter, changed(), timezone.now())
    _record_history(vcenter, history, infos)
    result.purged = task_store.purge_expired(vcenter)
    result.seconds = time.monotonic() - started
    return result


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
