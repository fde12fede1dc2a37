"""``ACS::TimerTrigger``: a template whose first task is a timer runs on its schedule, as in OOS.

Starting the execution arms a timer trigger of its own (the same machinery as a tenant's
timer triggers, fired by the engine ticker). The execution then waits; on each fire the
trigger starts a child execution of the same template and parameters that skips this
task and runs the rest, and the execution shows Running until that run ends, then
Waiting again. When the schedule is over (``EndDate``, or an ``at`` timer's one run) and
no run is going, the execution ends with Success. Cancelling it disarms the timer and
cancels a run in progress. Properties and expressions: :mod:`orchestration.services.timer_expressions`.
"""
from __future__ import annotations

from typing import Any, ClassVar

from orchestration.engine import results
from orchestration.models import FINISHED_STATUSES, Execution, TimerTrigger, WaitingFor
from orchestration.services.timer_expressions import KINDS, ScheduleError, parse_timer
from orchestration.services.triggers import arm_execution_timer, disarm_execution_timer

from .base import Action
from .registry import register

_PROPERTIES = ("Type", "Expression", "TimeZone", "StartDate", "EndDate")


def _literal(value: Any) -> bool:
    return value is None or (isinstance(value, str) and "{{" not in value)


def _schedule(properties: dict[str, Any]):
    return parse_timer(properties["Type"], properties["Expression"], time_zone=properties.get("TimeZone"),
                       start_date=properties.get("StartDate"), end_date=properties.get("EndDate"))


@register
class TimerTriggerAction(Action):
    name = "ACS::TimerTrigger"
    type = "Atomic.Trigger"
    description = ("Runs the rest of the template on a schedule (cron, rate or at) until EndDate; "
                   "each run is a child execution. Must be the template's first task.")
    service = "OOS"
    api = "TimerTrigger"
    popularity = 55
    skip_in_fired_runs = True
    properties_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "Type": {"enum": list(KINDS), "description": "cron, rate or at."},
            "Expression": {"type": "string", "minLength": 1,
                           "description": "Quartz cron (0 0 12 ? * *), a rate (30 minutes) or a date and time."},
            "TimeZone": {"type": "string", "description": "Zone of the expression, e.g. Asia/Shanghai (default UTC)."},
            "StartDate": {"type": "string", "description": "No run before (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)."},
            "EndDate": {"type": "string", "description": "No run after; required for cron and rate."},
        },
        "required": ["Type", "Expression"],
        "additionalProperties": False,
    }

    @classmethod
    def template_problems(cls, properties: dict[str, Any], index: int, tasks: list[Any]) -> list[tuple[str, str]]:
        if index != 0:
            return [("Action", "a template has one trigger action, in its first task: OOS runs the tasks after "
                               "it on each fire")]
        given = {key: properties.get(key) for key in _PROPERTIES}
        if not all(_literal(value) for value in given.values()) or not given["Type"] or not given["Expression"]:
            return []  # rendered and checked when the execution starts
        try:
            _schedule(properties)
        except ScheduleError as exc:
            prop, _, message = str(exc).partition(": ")
            return [(f"Properties.{prop}", message)]
        return []

    def start(self, ctx):
        if ctx.execution.parent_id:
            return results.Failed("ACS::TimerTrigger cannot run in a nested template (OOS allows a trigger only "
                                  "in the template an execution starts).", retryable=False)
        try:
            schedule = _schedule(ctx.properties)
        except ScheduleError as exc:
            return results.Failed(str(exc), retryable=False)
        trigger = arm_execution_timer(ctx.execution, schedule, ctx.now)
        if trigger.next_run_at is None:
            return results.Failed("The timer would never run: its time or EndDate has passed.", retryable=False)
        ctx.state["trigger"] = trigger.pk
        ctx.log(f"Timer armed: first run at {trigger.next_run_at:%Y-%m-%d %H:%M:%S} UTC"
                + (f", no run after {schedule.end_at:%Y-%m-%d %H:%M:%S %Z}." if schedule.end_at else "."))
        return self._between_runs(trigger)

    def poll(self, ctx):
        trigger = TimerTrigger.objects.filter(pk=ctx.state.get("trigger")).first()
        runs = Execution.objects.filter(parent=ctx.execution, parent_task_execution_id=ctx.task_execution.id)
        running = runs.exclude(status__in=FINISHED_STATUSES).order_by("-created_at").first()
        if running is not None:
            return results.Wait(until=None, reason=f"Run {running.pk} is running.")
        over = trigger is None or not trigger.enabled or (trigger.end_at is not None and ctx.now >= trigger.end_at)
        if not over:
            return self._between_runs(trigger)
        disarm_execution_timer(ctx.state.get("trigger"))
        last = runs.order_by("-created_at").first()
        ctx.log(f"Timer over after {runs.count()} run(s).")
        return results.Done({"Runs": runs.count(), "LastExecutionId": last.pk if last else ""}, end_execution=True)

    @staticmethod
    def _between_runs(trigger: TimerTrigger):
        # Woken by the trigger when it fires or ends; the end date is a wake-up of its own.
        return results.Wait(until=trigger.end_at, waiting_for=WaitingFor.SCHEDULE,
                            reason=f"Next run at {trigger.next_run_at:%Y-%m-%d %H:%M:%S} UTC.")

    def cancel(self, ctx):
        disarm_execution_timer(ctx.state.get("trigger"))
