"""django-q2 schedules of each vCenter: task sync and inventory sync.

Intervals under a minute become a 6-field cron (``* * * * * */10`` = every 10 s).
django-q2's scheduler only looks at schedules about every 30 seconds, so the task
sync schedules are fired by the engine ticker instead (``manage.py runengine``,
see ``orchestration.engine.ticker.run_schedules_precisely``), on time to a tick.
"""
from __future__ import annotations

from django_q.models import Schedule

from vsphere.models import VCenter

TASK_SYNC_FUNC = "vsphere.tasks.sync_vcenter_tasks"
INVENTORY_SYNC_FUNC = "vsphere.tasks.sync_vcenter_inventory"


def schedule_name(vcenter_pk: int, kind: str) -> str:
    return f"vsphere-{kind}-sync-{vcenter_pk}"


def _timing(seconds: int) -> dict:
    seconds = max(1, int(seconds))
    if seconds < 60:
        return {"schedule_type": Schedule.CRON, "cron": f"* * * * * */{seconds}", "minutes": None}
    return {"schedule_type": Schedule.MINUTES, "minutes": max(1, round(seconds / 60)), "cron": None}


def ensure_schedules(vcenter: VCenter) -> None:
    """Create, update or (when sync is off) delete the vCenter's two schedules."""
    wanted = {
        "tasks": (TASK_SYNC_FUNC, vcenter.sync_interval),
        "inventory": (INVENTORY_SYNC_FUNC, vcenter.inventory_interval),
    }
    for kind, (func, seconds) in wanted.items():
        name = schedule_name(vcenter.pk, kind)
        if not vcenter.sync_enabled:
            Schedule.objects.filter(name=name).delete()
            continue
        timing = _timing(seconds)
        schedule = Schedule.objects.filter(name=name).first()
        if schedule is None:
            Schedule.objects.create(name=name, func=func, args=repr(vcenter.pk), repeats=-1, **timing)
        elif any(getattr(schedule, k) != v for k, v in timing.items()) or schedule.func != func:
            for k, v in timing.items():
                setattr(schedule, k, v)
            schedule.func = func
            if schedule.schedule_type == Schedule.CRON:
                schedule.next_run = schedule.calculate_next_run()
            schedule.save()


def remove_schedules(vcenter_pk: int) -> None:
    Schedule.objects.filter(name__in=[schedule_name(vcenter_pk, k) for k in ("tasks", "inventory")]).delete()
