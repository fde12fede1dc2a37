"""OOS's timer expressions: Quartz cron in a time zone, rates, one-off times, and what is refused."""
from __future__ import annotations

import datetime as dt

import pytest

from orchestration.services.timer_expressions import ScheduleError, next_fire, parse_timer

UTC = dt.UTC
END = "2031-01-01T00:00:00Z"


def test_quartz_cron_reads_seconds_first_and_sunday_as_one_in_its_zone():
    weekdays_noon = parse_timer("cron", "0 0 12 ? * 2-6", time_zone="Asia/Shanghai", end_date=END)
    saturday = dt.datetime(2026, 1, 3, tzinfo=UTC)
    assert next_fire(weekdays_noon, saturday) == dt.datetime(2026, 1, 5, 4, 0, tzinfo=UTC)  # Monday 12:00 +08
    every_five_seconds = parse_timer("cron", "0/5 * * ? * *", end_date=END)
    assert next_fire(every_five_seconds, dt.datetime(2026, 1, 3, 0, 0, 1, tzinfo=UTC)) == dt.datetime(
        2026, 1, 3, 0, 0, 5, tzinfo=UTC)
    first_sunday = parse_timer("cron", "0 30 6 ? * 1#1", end_date=END)
    assert next_fire(first_sunday, saturday) == dt.datetime(2026, 1, 4, 6, 30, tzinfo=UTC)
    assert parse_timer("cron", "*/15 * * * *", end_date=END).cron == "*/15 * * * *"  # classic cron as is


def test_rate_counts_from_the_start_and_at_runs_once():
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    rate = parse_timer("rate", "90 minutes", start_date="2026-01-01T00:00:00Z", end_date=END)
    assert next_fire(rate, start) == start + dt.timedelta(minutes=90)
    assert next_fire(rate, start + dt.timedelta(minutes=91)) == start + dt.timedelta(minutes=180)
    once = parse_timer("at", "2026-05-01T10:00:00", time_zone="Asia/Shanghai")
    assert next_fire(once, start) == dt.datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    assert next_fire(once, dt.datetime(2026, 6, 1, tzinfo=UTC)) is None


def test_nothing_runs_after_the_end_date():
    hourly = parse_timer("rate", "1 hour", start_date="2026-01-01", end_date="2026-01-01T02:30:00Z")
    assert next_fire(hourly, dt.datetime(2026, 1, 1, 1, 30, tzinfo=UTC)) == dt.datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    assert next_fire(hourly, dt.datetime(2026, 1, 1, 2, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize(("args", "message"), [
    (("cron", "0 0 12 ? * 8"), "Expression: day of week 8"),
    (("cron", "every day"), "Expression: 'every day' is not a cron expression"),
    (("rate", "5 weeks"), "Expression: '5 weeks' is not a rate"),
    (("at", "tomorrow"), "Expression: 'tomorrow' is not a date"),
    (("hourly", "1"), "Type: 'hourly' is not one of cron, rate, at"),
])
def test_refusals_name_the_property(args, message):
    with pytest.raises(ScheduleError, match=message.replace("?", r"\?")):
        parse_timer(*args, end_date=END)


def test_zone_and_dates_are_checked():
    with pytest.raises(ScheduleError, match="TimeZone: 'Mars/Base' is not a time zone"):
        parse_timer("cron", "0 0 12 ? * *", time_zone="Mars/Base", end_date=END)
    with pytest.raises(ScheduleError, match="EndDate: required for a cron timer"):
        parse_timer("cron", "0 0 12 ? * *")
    with pytest.raises(ScheduleError, match="EndDate: must be after StartDate"):
        parse_timer("rate", "1 hour", start_date="2026-02-01", end_date="2026-01-01")
