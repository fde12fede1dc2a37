"""django-q2's ORM broker, woken by PostgreSQL NOTIFY instead of polling its table.

django-q2's pusher calls :meth:`ListeningORM.dequeue` in a loop; the stock ORM broker
sleeps ``Q_CLUSTER['poll']`` seconds whenever the queue is empty, so a message waits
half that on average and an idle cluster queries several times a second. Here
:meth:`~ListeningORM.enqueue` NOTIFYs :data:`~.wakeups.QUEUE_CHANNEL` (delivered when
the message's row commits) and an empty dequeue waits on that channel, looking again
every ``ENGINE_WAKEUP_FALLBACK_SECONDS`` anyway (messages whose lock expired for
redelivery are seen then). On SQLite it waits on :class:`~.wakeups.CommitWatcher`
instead: it looks at the queue when something was committed, not every ``poll``.
"""
from __future__ import annotations

import time
from datetime import timedelta

from django import db
from django.db import connections
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ

from . import wakeups

TABLE = OrmQ._meta.db_table


class ListeningORM(ORM):
    def __init__(self, list_key: str | None = None) -> None:
        super().__init__(list_key=list_key)
        self._listener: wakeups.Listener | wakeups.CommitWatcher | None = None
        self._hygiene_at = 0.0

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._listener = None
        self._hygiene_at = 0.0

    def enqueue(self, task) -> int:
        if not wakeups.listening_supported(Conf.ORM):
            return super().enqueue(task)
        # The message and its NOTIFY in one statement (one round trip on the start path).
        with connections[Conf.ORM].cursor() as cursor:
            cursor.execute(
                f"WITH queued AS (INSERT INTO {TABLE} (key, payload, lock) VALUES (%s, %s, %s) RETURNING id) "
                "SELECT id, pg_notify(%s, %s) FROM queued",
                [self.list_key or Conf.CLUSTER_NAME, task, timezone.now(), wakeups.QUEUE_CHANNEL, ""],
            )
            return cursor.fetchone()[0]

    def dequeue(self):
        if self._listener is None:
            self._listener = wakeups.listener_for(wakeups.QUEUE_CHANNEL, alias=Conf.ORM)
            if self._listener is None:  # nothing to wait on (an in-memory database): the stock poll
                return super().dequeue()
        listening = self._listener.connect()  # before looking: a message queued after the look wakes the wait
        tasks = self._claim() if wakeups.listening_supported(Conf.ORM) else self._claim_without_notify()
        if tasks:
            return tasks
        if not listening or self._listener.wait(wakeups.FALLBACK_SECONDS) is None:
            time.sleep(Conf.POLL)  # cannot listen (the database is away): poll as the stock broker does
        return None

    def wake(self) -> None:
        """Wake every pusher waiting on the queue (a stopping cluster's own, among others)."""
        wakeups.notify(wakeups.QUEUE_CHANNEL, "", alias=Conf.ORM)  # PostgreSQL
        wakeups.wake_watchers(alias=Conf.ORM)  # SQLite

    def _claim(self) -> list[tuple[int, str]]:
        """Lock up to ``Conf.BULK`` due messages for ``Conf.RETRY`` seconds, as the stock broker
        does, in one statement; SKIP LOCKED leaves messages another cluster is claiming to it."""
        self._close_old_connections()
        now = timezone.now()
        with connections[Conf.ORM].cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET lock = %s WHERE id IN (SELECT id FROM {TABLE} WHERE key = %s AND lock < %s "
                "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, payload",
                [now + timedelta(seconds=Conf.RETRY), self.list_key, now, Conf.BULK],
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]

    def _claim_without_notify(self) -> list[tuple[int, str]]:
        """The stock ORM broker's claim (SQLite), without its sleep: the commit watcher waits instead."""
        self._close_old_connections()  # not on every look: reconnecting to SQLite costs more than the look
        claimed = []
        queue = OrmQ.objects.using(Conf.ORM)
        for task in queue.filter(key=self.list_key, lock__lt=timezone.now())[: Conf.BULK]:
            if queue.filter(id=task.id, lock=task.lock).update(lock=self.timeout(task)):
                claimed.append((task.pk, task.payload))
        return claimed

    def _close_old_connections(self) -> None:
        """Django's connection hygiene (max age, health), at most once per fallback interval."""
        if time.monotonic() - self._hygiene_at > wakeups.FALLBACK_SECONDS:
            db.close_old_connections()
            self._hygiene_at = time.monotonic()
