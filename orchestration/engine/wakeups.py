"""Waking the workers and the ticker the moment there is work, without polling the database.

On PostgreSQL, through LISTEN/NOTIFY on two channels:

* :data:`QUEUE_CHANNEL` — a message was queued for the workers (the broker sends it,
  :mod:`.broker`); their pusher waits on it instead of polling the queue table;
* :data:`DUE_CHANNEL` — something will be due at the time in the payload (epoch
  seconds): a lease taken (due when it would expire), an execution released with its
  next wake-up, a timer trigger or schedule saved. The ticker (:mod:`.ticker`) sleeps
  until the earliest time it knows of, and wakes early when told of an earlier one.

A NOTIFY sent inside a transaction is delivered when it commits, so a listener never
looks before the row it is told about is visible. Both listeners still look every
``ENGINE_WAKEUP_FALLBACK_SECONDS`` in case a notification was missed (a listening
connection that broke and came back).

On the embedded SQLite default every process runs on one machine next to the database
file: :class:`CommitWatcher` notices any commit by its write-ahead log changing
(inotify; no query) and says "look again" (:data:`CHANGED`).
"""
from __future__ import annotations

import ctypes
import datetime as dt
import logging
import os
import select
import struct
import time
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery

logger = logging.getLogger(__name__)

QUEUE_CHANNEL = "orchestration_queue"
DUE_CHANNEL = "orchestration_due"
FALLBACK_SECONDS = float(getattr(settings, "ENGINE_WAKEUP_FALLBACK_SECONDS", 5.0))
WATCH_SECONDS = 0.02
CHANGED = "changed"  # a CommitWatcher's only payload: something was committed, look again


def listening_supported(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def notify(channel: str, payload: str = "", alias: str = "default") -> None:
    """NOTIFY ``channel`` on this thread's connection (at commit, inside a transaction)."""
    if not listening_supported(alias):
        return
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [channel, payload])


def notify_due(when: dt.datetime | None) -> None:
    """Tell the ticker that something is due at ``when`` (``None``: nothing to say)."""
    if when is not None:
        notify(DUE_CHANNEL, f"{when.timestamp():.6f}")


def update_announcing(queryset: QuerySet, due_column: str, **fields: Any) -> list[Any]:
    """``queryset.update(**fields)``, telling the ticker each changed row's new ``due_column``.

    Returns the new ``due_column`` of every changed row. On PostgreSQL it is one
    statement (``WITH changed AS (UPDATE … RETURNING) SELECT pg_notify(…)``): the
    engine's hot path pays no extra round trip for the ticker's wake-up.
    """
    alias = queryset.db
    if not listening_supported(alias):
        with transaction.atomic(using=alias):  # SQLite: one writer, so select-then-update is exact
            ids = list(queryset.values_list("pk", flat=True))
            if not ids:
                return []
            rows = queryset.model.objects.using(alias).filter(pk__in=ids)
            rows.update(**fields)
            return list(rows.values_list(due_column, flat=True))
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(fields)
    update_sql, params = query.get_compiler(alias).as_sql()
    column = connections[alias].ops.quote_name(queryset.model._meta.get_field(due_column).column)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"WITH changed AS ({update_sql} RETURNING {column} AS due) "
            "SELECT due, CASE WHEN due IS NOT NULL THEN "
            "pg_notify(%s, extract(epoch FROM due)::text) END FROM changed",
            (*params, DUE_CHANNEL),
        )
        return [row[0] for row in cursor.fetchall()]


def due_times(payloads: list[str]) -> list[float]:
    """The epoch times carried by :data:`DUE_CHANNEL` payloads (others are ignored)."""
    times = []
    for payload in payloads:
        try:
            times.append(float(payload))
        except ValueError:
            continue
    return times


class Listener:
    """A connection of its own that LISTENs; :meth:`wait` returns what it was told.

    Created lazily in the process that waits (never inherited across a fork). If the
    connection breaks (a database outage), :meth:`wait` says so with ``None`` and the
    next call connects again, so callers fall back to polling until it is back.
    """

    def __init__(self, *channels: str, alias: str = "default") -> None:
        self.channels = channels
        self.alias = alias
        self._conn: psycopg.Connection | None = None
        self._pid = 0

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._pid != os.getpid() or self._conn.closed:
            params = connections[self.alias].get_connection_params()
            for key in ("context", "cursor_factory", "prepare_threshold"):
                params.pop(key, None)
            conn = psycopg.connect(**params, autocommit=True)
            for channel in self.channels:
                conn.execute(f"LISTEN {channel}")  # channel names are constants of this module
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def connect(self) -> bool:
        """LISTEN now (before looking for work, so nothing queued after the look is missed)."""
        try:
            self._connection()
            return True
        except (psycopg.Error, DatabaseError, OSError):
            self.close()
            return False

    def wait(self, timeout: float) -> list[str] | None:
        """Payloads received within ``timeout`` seconds (``[]`` if none); ``None`` if not listening."""
        try:
            conn = self._connection()
            # psycopg's own wait wakes every 0.1 s to look for Ctrl-C, which costs an idle
            # listener ~0.1 % of a core: the kernel waits for the socket instead.
            deadline = time.monotonic() + timeout
            poller = select.poll()  # not select(): a descriptor past 1024 is fine
            poller.register(conn.fileno(), select.POLLIN)
            while True:
                if not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
                    return []
                payloads = [n.payload for n in conn.notifies(timeout=0)]
                if payloads:
                    return payloads
                # Something else arrived (a notice; or the server ending the connection,
                # whose closing the next read raises): keep waiting.
        except (psycopg.Error, DatabaseError, OSError):
            logger.debug("listening on %s failed", self.channels, exc_info=True)
            self.close()
            return None

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            try:
                self._conn.close()
            except psycopg.Error:  # a broken connection may complain while closing; it is gone either way
                pass
        self._conn = None


class CommitWatcher:
    """SQLite: wakes when anything is committed to the database file, with no query.

    SQLite in WAL mode (``config/settings.py``) appends every commit to ``<db>-wal``.
    On Linux the watcher asks the kernel (inotify, through libc) to be woken when that
    file is written, so an idle process sleeps; elsewhere it compares the file's size
    and modification time every :data:`WATCH_SECONDS`. Same interface as
    :class:`Listener`: :meth:`connect` marks "now", :meth:`wait` returns
    ``[CHANGED]`` once something was committed since.
    """

    def __init__(self, path: str) -> None:
        self.path = f"{path}-wal"
        self.wake_path = wake_file(path)  # written by :func:`wake_watchers`: "look now" without a commit
        self._names = {os.path.basename(p).encode() for p in (path, self.path, self.wake_path)}
        self._inotify = _inotify_fd(os.path.dirname(os.path.abspath(path)))
        self._seen = self._stamp()

    def _stamp(self) -> tuple:
        stamps = []
        for path in (self.path, self.wake_path):
            try:
                stat = os.stat(path)
            except OSError:
                stamps.append(None)
                continue
            stamps.append((stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def connect(self) -> bool:
        if self._inotify is not None:
            self._drain()
        self._seen = self._stamp()
        return True

    def wait(self, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if self._inotify is not None:
                if remaining <= 0:
                    return []
                if select.select([self._inotify], [], [], remaining)[0] and self._drain():
                    return [CHANGED]
                continue
            stamp = self._stamp()
            if stamp != self._seen:
                self._seen = stamp
                return [CHANGED]
            if remaining <= 0:
                return []
            time.sleep(min(WATCH_SECONDS, remaining))

    def _drain(self) -> bool:
        """Read every pending inotify event; ``True`` if one was a write to the database's files."""
        changed = False
        while True:
            try:
                data = os.read(self._inotify, 65536)
            except BlockingIOError:
                return changed
            offset = 0
            while offset < len(data):
                _wd, _mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16: offset + 16 + length].rstrip(b"\0")
                changed = changed or name in self._names
                offset += 16 + length

    def close(self) -> None:
        pass


def _inotify_fd(directory: str) -> int | None:
    """A non-blocking inotify descriptor watching writes to files of ``directory`` (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return None
        if libc.inotify_add_watch(fd, directory.encode(), _IN_MODIFY | _IN_CREATE | _IN_MOVED_TO) < 0:
            os.close(fd)
            return None
        return fd
    except (OSError, AttributeError):  # not Linux
        return None


_IN_MODIFY, _IN_MOVED_TO, _IN_CREATE = 0x2, 0x80, 0x100


def wake_file(database_path: str) -> str:
    return f"{database_path}-wake"


def wake_watchers(alias: str = "default") -> None:
    """SQLite: wake every :class:`CommitWatcher` of this database now, though nothing was committed
    (a stopping cluster's pusher checks its stop event only when its wait ends)."""
    connection = connections[alias]
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or connection.is_in_memory_db():
        return
    with open(wake_file(name), "ab") as marker:
        marker.write(b".")
        marker.truncate(0)


def listener_for(channel: str, alias: str = "default") -> Listener | CommitWatcher | None:
    """How this database wakes a waiting process: LISTEN, a commit watcher, or nothing (poll)."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        return Listener(channel, alias=alias)
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and not connection.is_in_memory_db():
        return CommitWatcher(name)
    return None
