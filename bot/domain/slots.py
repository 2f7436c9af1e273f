"""Callback slots: which times a citizen may book, move a call to, or still change.

Pure functions, no aiogram and no storage. The working day (``WORKING_HOURS``
in ``TIMEZONE``) is cut into slots of equal length from the start of each
working interval; a slot that would run past the interval's end is not made.
A slot holds at most ``capacity`` scheduled calls (operators per slot); a
booked call counts in every slot it overlaps, so changing the slot length
keeps earlier bookings counted.

Offered days: today, if it is a working day, and the next ``days_ahead``
working days; holidays and weekdays without working hours are skipped.
Offered slots start no sooner than ``lead`` from now and still have room.

A booked call can be moved or cancelled until ``change_notice`` (an hour)
before it starts, so no slot inside that lock is offered either: a call the
citizen books or moves can always still be moved or cancelled. A call not
marked ``overdue_after`` (an hour) after its start is flagged to the operators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.working_hours import WorkingHours

Booking = tuple[datetime, datetime]  # a scheduled call's [start, end)
_WHOLE_DAY = ((0, 24 * 60),)
_SEARCH_LIMIT = 366  # days looked at for working days (holidays may cover many)


@dataclass(frozen=True, slots=True)
class SlotPolicy:
    schedule: WorkingHours
    zone: ZoneInfo
    length: timedelta
    capacity: int
    days_ahead: int
    holidays: frozenset[date] = field(default_factory=frozenset)
    lead: timedelta = timedelta(0)
    change_notice: timedelta = timedelta(hours=1)
    overdue_after: timedelta = timedelta(hours=1)


class SlotProblem(StrEnum):
    GONE = "gone"  # not a slot of an offered day, or too soon / in the past
    FULL = "full"


def is_working_day(day: date, policy: SlotPolicy) -> bool:
    if day in policy.holidays:
        return False
    return policy.schedule.days is None or bool(policy.schedule.days[day.weekday()])


def local_today(now: datetime, policy: SlotPolicy) -> date:
    return now.astimezone(policy.zone).date()


def bookable_days(now: datetime, policy: SlotPolicy) -> list[date]:
    """Today (if a working day) and the next ``days_ahead`` working days."""
    today = local_today(now, policy)
    days = [today] if is_working_day(today, policy) else []
    wanted = len(days) + policy.days_ahead
    for offset in range(1, _SEARCH_LIMIT):
        if len(days) >= wanted:
            break
        day = today + timedelta(days=offset)
        if is_working_day(day, policy):
            days.append(day)
    return days


def day_slots(day: date, policy: SlotPolicy) -> list[datetime]:
    """Every slot start of ``day`` (local, aware), working day or not."""
    intervals = _WHOLE_DAY if policy.schedule.days is None else policy.schedule.days[day.weekday()]
    step = int(policy.length.total_seconds() // 60)
    starts = []
    for begin, end in intervals:
        for minute in range(begin, end - step + 1, step):
            starts.append(slot_at(day, minute, policy))
    return starts


def slot_at(day: date, minute: int, policy: SlotPolicy) -> datetime:
    """The local moment ``minute`` minutes after ``day``'s midnight."""
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=policy.zone)


def minute_of(slot: datetime, policy: SlotPolicy) -> int:
    local = slot.astimezone(policy.zone)
    return local.hour * 60 + local.minute


def slot_end(start: datetime, policy: SlotPolicy) -> datetime:
    return start + policy.length


def taken(start: datetime, policy: SlotPolicy, booked: Sequence[Booking]) -> int:
    """How many scheduled calls overlap the slot starting at ``start``."""
    end = slot_end(start, policy)
    return sum(1 for begin, finish in booked if begin < end and finish > start)


def earliest_start(now: datetime, policy: SlotPolicy) -> datetime:
    """The soonest a call may be booked for: after the lead, and outside the change lock."""
    return now + max(policy.lead, policy.change_notice)


def slot_problem(
    start: datetime, now: datetime, policy: SlotPolicy, booked: Sequence[Booking]
) -> SlotProblem | None:
    """Why ``start`` cannot be booked now; None if it can."""
    local = start.astimezone(policy.zone)
    if local.date() not in bookable_days(now, policy) or local not in day_slots(
        local.date(), policy
    ):
        return SlotProblem.GONE
    if start < earliest_start(now, policy):
        return SlotProblem.GONE
    if taken(start, policy, booked) >= policy.capacity:
        return SlotProblem.FULL
    return None


def free_slots(
    day: date, now: datetime, policy: SlotPolicy, booked: Sequence[Booking]
) -> list[datetime]:
    """The slots of ``day`` a citizen may book now, in time order."""
    if day not in bookable_days(now, policy):
        return []
    earliest = earliest_start(now, policy)
    return [
        start
        for start in day_slots(day, policy)
        if start >= earliest and taken(start, policy, booked) < policy.capacity
    ]


def offered_days(now: datetime, policy: SlotPolicy, booked: Sequence[Booking]) -> list[date]:
    """Bookable days that still have a free slot."""
    return [day for day in bookable_days(now, policy) if free_slots(day, now, policy, booked)]


def booking_window(now: datetime, policy: SlotPolicy) -> tuple[datetime, datetime]:
    """From today's local midnight to the end of the last bookable day."""
    days = bookable_days(now, policy)
    today = local_today(now, policy)
    last = days[-1] if days else today
    return slot_at(today, 0, policy), slot_at(last + timedelta(days=1), 0, policy)


def can_change(start: datetime, now: datetime, policy: SlotPolicy) -> bool:
    """Moving or cancelling is allowed until ``change_notice`` before the call."""
    return now <= start - policy.change_notice


def is_overdue(start: datetime, now: datetime, policy: SlotPolicy) -> bool:
    """A scheduled call still not marked ``overdue_after`` after its start."""
    return now >= start + policy.overdue_after
