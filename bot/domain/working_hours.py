"""Operators' working hours: parsing ``WORKING_HOURS`` and finding the next opening.

Pure functions, no aiogram. The format (also in ``.env.example``):

* empty: operators answer around the clock;
* ``09:00-18:00``: the same hours every day;
* ``mon-fri 09:00-18:00; sat 10:00-15:00``: per weekday, ``;``-separated rules,
  days as ``mon tue wed thu fri sat sun``, ranges (``mon-fri``) and lists
  (``mon,wed``); several intervals a day with commas (``mon 09:00-13:00,14:00-18:00``).

Times are local to the portal's time zone; ``24:00`` ends a day.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

Minutes = tuple[int, int]  # [start, end) in minutes since local midnight
_SEARCH_DAYS = 367  # a week, or longer when holidays close many days in a row


class WorkingHoursError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Intervals per weekday (Monday is 0); ``None`` means around the clock.

    ``holidays`` are closed all day (unless the desk works around the clock).
    """

    days: tuple[tuple[Minutes, ...], ...] | None
    holidays: frozenset[date] = frozenset()

    def with_holidays(self, holidays: frozenset[date]) -> WorkingHours:
        return WorkingHours(self.days, holidays)

    @property
    def always_open(self) -> bool:
        return self.days is None

    def is_open(self, local: datetime) -> bool:
        if self.days is None:
            return True
        if local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.days[local.weekday()])

    def next_opening(self, local: datetime) -> datetime | None:
        """When operators are next at work, or ``None`` if they are now (or always)."""
        if self.days is None or self.is_open(local):
            return None
        minute = local.hour * 60 + local.minute
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if day in self.holidays:
                continue
            for start, _ in self.days[day.weekday()]:
                if offset > 0 or start > minute:
                    return _at(day, start, local)
        return None  # no working day at all: parse() refuses such a schedule


def _at(day: date, minute: int, like: datetime) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=like.tzinfo)


def parse_working_hours(text: str | None) -> WorkingHours:
    value = (text or "").strip()
    if not value:
        return WorkingHours(None)
    days: list[list[Minutes]] = [[] for _ in DAY_NAMES]
    for rule in filter(None, (part.strip() for part in value.split(";"))):
        day_part, _, hours_part = rule.rpartition(" ")
        selected = _parse_days(day_part) if day_part.strip() else range(7)
        intervals = [_parse_interval(item) for item in hours_part.split(",")]
        for index in selected:
            days[index].extend(intervals)
    for intervals in days:
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            if start < end:
                raise WorkingHoursError("intervals of one day overlap")
    if not any(days):
        raise WorkingHoursError("no working time at all")
    return WorkingHours(tuple(tuple(intervals) for intervals in days))


def _parse_days(text: str) -> list[int]:
    selected: list[int] = []
    for item in text.replace(" ", "").lower().split(","):
        first, dash, last = item.partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise WorkingHoursError(f"unknown day {item!r}: use mon, tue, wed, thu, fri, sat, sun")
        start = DAY_NAMES.index(first)
        end = DAY_NAMES.index(last) if dash else start
        if end < start:
            raise WorkingHoursError(f"day range {item!r} goes backwards")
        selected.extend(range(start, end + 1))
    return selected


def _parse_interval(text: str) -> Minutes:
    match = _INTERVAL.match(text.strip())
    if match is None:
        raise WorkingHoursError(f"expected hours like 09:00-18:00, got {text.strip()!r}")
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        raise WorkingHoursError(f"no such time in {text.strip()!r}")
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if end <= start:
        raise WorkingHoursError(
            f"{text.strip()!r} ends before it starts (split a night shift at 24:00)"
        )
    return start, end
