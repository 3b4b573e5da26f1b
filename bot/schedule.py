"""When reminders go out: offsets before the deadline, at a set hour, on business days only.

Pure functions of a committee's deadline and a moment, so tests control the clock completely.
Japanese public holidays come from jpholiday (maintained), never from a hand-written list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

TOKYO = ZoneInfo("Asia/Tokyo")
DEFAULT_OFFSETS = (7, 3, 1, 0)  # days before the deadline; 0 = the deadline's morning
DEFAULT_TIME = time(9, 30)
SEND_UNTIL = time(18, 0)  # nothing is sent in the evening or at night
OVERDUE = "overdue"


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not jpholiday.is_holiday(day)


def previous_business_day(day: date) -> date:
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Slot:
    name: str  # d7, d3, d1, d0, overdue
    at: datetime  # aware, Asia/Tokyo


def slots(deadline: datetime, offsets: tuple[int, ...] = DEFAULT_OFFSETS, at: time = DEFAULT_TIME) -> list[Slot]:
    """Reminder slots for a deadline, earliest first.

    Each offset falls on the previous business day when it would be a weekend or holiday; slots that
    collapse onto the same moment are sent once (the later name wins); a slot at or after the
    deadline is dropped. The overdue slot is the first business day's hour after the deadline.
    """
    deadline = deadline.astimezone(TOKYO)
    by_time: dict[datetime, str] = {}
    for offset in sorted(set(offsets), reverse=True):
        day = previous_business_day(deadline.date() - timedelta(days=offset))
        moment = datetime.combine(day, at, TOKYO)
        if moment < deadline:
            by_time[moment] = f"d{offset}"
    overdue_day = deadline.date() if deadline.timetz().replace(tzinfo=None) < at else deadline.date() + timedelta(1)
    overdue = datetime.combine(next_business_day(overdue_day), at, TOKYO)
    result = [Slot(name, moment) for moment, name in sorted(by_time.items())]
    return [*result, Slot(OVERDUE, overdue)]


def sending_hours(now: datetime, at: time = DEFAULT_TIME) -> bool:
    """Reminders are sent on business days between the reminder hour and 18:00 only."""
    local = now.astimezone(TOKYO)
    return is_business_day(local.date()) and at <= local.timetz().replace(tzinfo=None) < SEND_UNTIL


def due_slot(
    deadline: datetime,
    meeting: date | None,
    now: datetime,
    offsets: tuple[int, ...] = DEFAULT_OFFSETS,
    at: time = DEFAULT_TIME,
) -> Slot | None:
    """The one slot that is meaningful at ``now``, if any.

    Before the deadline: the latest slot already reached (older ones missed during downtime are
    stale and skipped). After it: the overdue slot, until the committee meets. Only in sending hours.
    """
    if not sending_hours(now, at):
        return None
    now = now.astimezone(TOKYO)
    deadline = deadline.astimezone(TOKYO)
    schedule = slots(deadline, offsets, at)
    if now < deadline:
        reached = [s for s in schedule if s.name != OVERDUE and s.at <= now]
        return reached[-1] if reached else None
    overdue = schedule[-1]
    if now >= overdue.at and (meeting is None or now.date() <= meeting):
        return overdue
    return None
