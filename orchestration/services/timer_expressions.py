"""OOS's timer expressions: ``ACS::TimerTrigger``'s ``Type``, ``Expression``, ``TimeZone``,
``StartDate`` and ``EndDate``, turned into the fields of a :class:`~orchestration.models.TimerTrigger`.

* ``cron``: Quartz-style, as OOS writes it — seconds first, ``?`` for "any", day of week
  1–7 from Sunday, an optional year (``0 0 12 ? * *``: every day at noon). Stored in
  croniter's own order (seconds after the day of week, days of week 0–6 from Sunday), so
  every trigger's ``cron`` reads the same way. A five-field classic cron is taken as is.
  Evaluated in ``TimeZone`` (default UTC).
* ``rate``: ``<n> <unit>`` with minute(s), hour(s) or day(s): every n units from the
  start date (the execution's start when there is none); the first run one period after.
* ``at``: one date and time (``YYYY-MM-DDThh:mm:ssZ``, or without zone in ``TimeZone``).

Dates are ``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ss[Z]``. Nothing here needs Django, so the
template language can check literal expressions where they stand.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

KINDS = ("cron", "rate", "at")
RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*(minute|hour|day)s?\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_DAY_NUMBER = re.compile(r"^\d+$")


class ScheduleError(ValueError):
    """An expression, zone or date OOS would refuse; the message names the property."""


@dataclass(frozen=True)
class TimerSchedule:
    cron: str = ""  # croniter order
    interval_seconds: int | None = None
    run_at: dt.datetime | None = None
    time_zone: str = "UTC"
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"TimeZone: {name!r} is not a time zone such as Asia/Shanghai or UTC") from exc


def parse_date(value: str, tz: ZoneInfo, place: str) -> dt.datetime:
    """``YYYY-MM-DD`` (midnight) or an ISO date and time; without an offset it is in ``tz``."""
    text = str(value).strip()
    if not _DATE.match(text):
        raise ScheduleError(f"{place}: {value!r} is not a date such as 2030-12-29T09:19:30Z or 2030-12-29")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ScheduleError(f"{place}: {value!r} is not a valid date ({exc})") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def quartz_to_cron(expression: str) -> str:
    """OOS's (Quartz) cron in croniter's order; a five-field cron unchanged."""
    fields = str(expression).split()
    if len(fields) == 5:
        cron = " ".join(fields)
    elif len(fields) in (6, 7):
        seconds, minutes, hours, dom, month, dow, *year = fields
        cron = " ".join([minutes, hours, dom, month, _days_of_week(dow), seconds, *year])
    else:
        raise ScheduleError(f"Expression: {expression!r} is not a cron expression "
                            "(seconds minutes hours day-of-month month day-of-week [year], e.g. 0 0 12 ? * *)")
    try:
        croniter(cron)
    except (CroniterBadCronError, CroniterBadDateError, ValueError, KeyError) as exc:
        raise ScheduleError(f"Expression: {expression!r} is not a cron expression: {exc}") from exc
    return cron


def _days_of_week(field: str) -> str:
    """Quartz counts days 1 (Sunday) to 7; cron 0 (Sunday) to 6. Names stay as they are."""

    def day(token: str) -> str:
        if not _DAY_NUMBER.match(token):
            return token
        number = int(token)
        if not 1 <= number <= 7:
            raise ScheduleError(f"Expression: day of week {number} is not 1 (Sunday) to 7 (Saturday)")
        return str(number - 1)

    def part(text: str) -> str:
        for mark in ("#", "/"):
            if mark in text:
                head, tail = text.split(mark, 1)
                return part(head) + mark + tail
        if text.endswith("L") and len(text) > 1:
            return day(text[:-1]) + "L"
        return "-".join(day(t) for t in text.split("-"))

    return ",".join(part(p) for p in field.split(","))


def parse_rate(expression: str) -> int:
    found = _RATE.match(str(expression))
    if not found or int(found.group(1)) < 1:
        raise ScheduleError(f"Expression: {expression!r} is not a rate such as '30 minutes', '1 hour' or '2 days'")
    return int(found.group(1)) * RATE_UNITS[found.group(2).lower()]


def parse_timer(kind: str, expression: str, *, time_zone: str | None = None, start_date: str | None = None,
                end_date: str | None = None) -> TimerSchedule:
    """Check OOS's timer properties and turn them into a schedule (raises :class:`ScheduleError`)."""
    if kind not in KINDS:
        raise ScheduleError(f"Type: {kind!r} is not one of {', '.join(KINDS)}")
    tz = zone(time_zone)
    start = parse_date(start_date, tz, "StartDate") if start_date else None
    end = parse_date(end_date, tz, "EndDate") if end_date else None
    if kind != "at" and end is None:
        raise ScheduleError(f"EndDate: required for a {kind} timer (when its runs stop)")
    if start and end and end <= start:
        raise ScheduleError("EndDate: must be after StartDate")
    common = {"time_zone": tz.key, "start_at": start, "end_at": end}
    if kind == "cron":
        return TimerSchedule(cron=quartz_to_cron(expression), **common)
    if kind == "rate":
        return TimerSchedule(interval_seconds=parse_rate(expression), **common)
    return TimerSchedule(run_at=parse_date(expression, tz, "Expression"), **common)


def next_fire(schedule: TimerSchedule, after: dt.datetime, anchor: dt.datetime | None = None) -> dt.datetime | None:
    """The first run strictly after ``after`` (and not before the start, not after the end), or None.

    ``anchor`` is where a rate counts its periods from when the schedule has no start date.
    """
    since = max(after, schedule.start_at) if schedule.start_at and schedule.start_at > after else after
    if schedule.run_at is not None:
        found = schedule.run_at if schedule.run_at > since else None
    elif schedule.cron:
        local = since.astimezone(zone(schedule.time_zone))
        found = croniter(schedule.cron, local).get_next(dt.datetime).astimezone(dt.UTC)
    elif schedule.interval_seconds:
        origin = schedule.start_at or anchor or after
        periods = int((since - origin).total_seconds() // schedule.interval_seconds) + 1
        found = origin + dt.timedelta(seconds=periods * schedule.interval_seconds)
    else:
        return None
    if found is not None and schedule.end_at is not None and found > schedule.end_at:
        return None
    return found
