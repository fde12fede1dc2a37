"""django-q2's ORM broker, woken by PostgreSQL NOTIFY instead of polling its table.

django-q2's pusher calls :meth:`ListeningORM.dequeue` in a loop; the stock ORM broker
sleeps ``Q_CLUSTER['poll']`` seconds whenever the queue is empty, so a message waits
half that on average and an idle cluster queries several times a second. Here
:meth:`~ListeningORM.enqueue` NOTIFYs :data:`~.wakeups.QUEUE_CHANNEL` (delivered when
the message's row commits) and an empty dequeue waits on that channel, looking again
every ``ENGINE_WAKEUP_FALLBACK_SECONDS`` anyway (messages whose lock expired for
redelivery are seen then). On SQLite it is the stock broker, polling.
"""
from __future__ import annotations

import time

from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ

from . import wakeups


class ListeningORM(ORM):
    def __init__(self, list_key: str | None = None) -> None:
        super().__init__(list_key=list_key)
        self._listener: wakeups.Listener | None = None

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._listener = None

    def enqueue(self, task) -> int:
        task_id = super().enqueue(task)
        wakeups.notify(wakeups.QUEUE_CHANNEL, self.list_key or "", alias=Conf.ORM)
        return task_id

    def dequeue(self):
        if not wakeups.listening_supported(Conf.ORM):
            return super().dequeue()
        if self._listener is None:
            self._listener = wakeups.Listener(wakeups.QUEUE_CHANNEL, alias=Conf.ORM)
        listening = self._listener.connect()  # before looking: a message queued after the look wakes the wait
        tasks = self._claim()
        if tasks:
            return tasks
        if not listening or self._listener.wait(wakeups.FALLBACK_SECONDS) is None:
            time.sleep(Conf.POLL)  # cannot listen (the database is away): poll as the stock broker does
        return None

    def wake(self) -> None:
        """Wake every pusher waiting on the queue (a stopping cluster's own, among others)."""
        wakeups.notify(wakeups.QUEUE_CHANNEL, "", alias=Conf.ORM)

    def _claim(self) -> list[tuple[int, str]]:
        """The stock ORM broker's claim: lock up to ``Conf.BULK`` due messages for ``Conf.RETRY``."""
        claimed = []
        for task in self.get_connection().filter(key=self.list_key, lock__lt=timezone.now())[: Conf.BULK]:
            if OrmQ.objects.using(Conf.ORM).filter(id=task.id, lock=task.lock).update(lock=self.timeout(task)):
                claimed.append((task.pk, task.payload))
        return claimed
