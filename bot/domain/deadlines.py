"""Deadlines of an appeal: the first response in working hours and the legal term.

Pure arithmetic, no I/O:

* the first-response target per appeal type (``SLA_FIRST_RESPONSE``, e.g.
  ``technical:2h,complaint:4h,consultation:1h30m``) counts only the operators'
  working time (``WORKING_HOURS`` and ``HOLIDAYS``): a complaint filed on Friday at
  17:00 with a 4-hour target and hours 09:00-18:00 is due on Monday at 12:00;
* the legal term for written appeals (59-FZ, art. 12): 30 calendar days from
  registration. The term starts the day after the appeal is registered and ends
  with the 30th day (local time); weekends and holidays count.

A deadline is met by the first operator answer (first response) or by closing the
appeal (legal term). «At risk» is less than ``RISK_SHARE`` of the budget left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.models import Appeal, AppealType
from bot.domain.working_hours import WorkingHours

LEGAL_TERM_DAYS = 30
RISK_SHARE = 0.2
_SPAN = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")
_SEARCH_DAYS = 3 * 367  # long enough for any target and any holiday calendar


class SlaError(ValueError):
    pass


class DeadlineKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    LEGAL = "legal"


class DeadlineState(StrEnum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"


# The marks the periodic check leaves, once each: «at risk» updates the card, «breached»
# also escalates to the supervisors.
MARKED_STATES = (DeadlineState.AT_RISK, DeadlineState.BREACHED)


@dataclass(frozen=True, slots=True)
class DeadlineMark:
    appeal_id: int
    deadline: DeadlineKind
    mark: DeadlineState  # AT_RISK or BREACHED
    marked_at: datetime


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    due: datetime
    budget: timedelta  # the whole allowance, in the time this deadline counts
    left: timedelta  # of that allowance at ``now``; zero once due
    overdue: timedelta  # calendar time past ``due`` (zero before it)
    state: DeadlineState

    @property
    def open(self) -> bool:
        return self.state in (DeadlineState.RUNNING, DeadlineState.AT_RISK, DeadlineState.BREACHED)


def parse_sla(text: str | None) -> dict[AppealType, timedelta]:
    """``technical:2h,complaint:4h`` -> targets; empty: no first-response targets."""
    targets: dict[AppealType, timedelta] = {}
    for item in filter(None, (part.strip() for part in (text or "").replace(";", ",").split(","))):
        name, colon, span = item.partition(":")
        name = name.strip().lower()
        if not colon:
            raise SlaError(f"expected type:time like technical:2h, got {item!r}")
        try:
            kind = AppealType(name)
        except ValueError:
            known = ", ".join(member.value for member in AppealType)
            raise SlaError(f"unknown appeal type {name!r} (known: {known})") from None
        if kind in targets:
            raise SlaError(f"appeal type {name!r} is given twice")
        targets[kind] = parse_span(span)
    return targets


def parse_span(text: str) -> timedelta:
    """``2h``, ``90m``, ``1h30m``: a positive span of working time."""
    value = text.strip().lower().replace(" ", "")
    match = _SPAN.match(value)
    if not value or match is None:
        raise SlaError(f"expected a time like 2h, 45m or 1h30m, got {text.strip()!r}")
    hours, minutes = (int(group or 0) for group in match.groups())
    span = timedelta(hours=hours, minutes=minutes)
    if span <= timedelta(0):
        raise SlaError(f"a target must be longer than zero, got {text.strip()!r}")
    return span


def _open_intervals(
    schedule: WorkingHours, day: date, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The working intervals of one local day as aware datetimes."""
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    if schedule.days is None:
        return [(midnight, midnight + timedelta(days=1))]
    if day in schedule.holidays:
        return []
    return [
        (midnight + timedelta(minutes=start), midnight + timedelta(minutes=end))
        for start, end in schedule.days[day.weekday()]
    ]


def add_working_time(
    start: datetime, span: timedelta, schedule: WorkingHours, zone: ZoneInfo
) -> datetime:
    """The moment ``span`` of working time after ``start`` has passed."""
    if schedule.always_open:
        return start + span
    local = start.astimezone(zone)
    remaining = span
    for offset in range(_SEARCH_DAYS):
        for begin, end in _open_intervals(schedule, local.date() + timedelta(days=offset), zone):
            begin = max(begin, local)
            if end <= begin:
                continue
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
    raise SlaError("the working hours leave no time for the target")


def working_time_between(
    start: datetime, end: datetime, schedule: WorkingHours, zone: ZoneInfo
) -> timedelta:
    """Working time in [start, end); zero when ``end`` is not after ``start``."""
    if end <= start:
        return timedelta(0)
    if schedule.always_open:
        return end - start
    first, last = start.astimezone(zone), end.astimezone(zone)
    total = timedelta(0)
    for offset in range((last.date() - first.date()).days + 1):
        for begin, finish in _open_intervals(schedule, first.date() + timedelta(days=offset), zone):
            begin, finish = max(begin, first), min(finish, last)
            if finish > begin:
                total += finish - begin
    return total


def legal_due(registered: datetime, zone: ZoneInfo, days: int = LEGAL_TERM_DAYS) -> datetime:
    """The end of the ``days``-th calendar day after the day of registration (local)."""
    day = registered.astimezone(zone).date() + timedelta(days=days + 1)
    return datetime.combine(day, time(0), tzinfo=zone)


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Which deadlines an appeal has, and how its time is counted."""

    first_response: dict[AppealType, timedelta]
    schedule: WorkingHours
    zone: ZoneInfo
    legal_types: frozenset[AppealType] = field(default_factory=frozenset)
    legal_days: int = LEGAL_TERM_DAYS
    risk_share: float = RISK_SHARE

    def deadlines(self, appeal: Appeal, now: datetime) -> list[Deadline]:
        found = []
        target = self.first_response.get(appeal.type)
        if target is not None:
            due = add_working_time(appeal.created_at, target, self.schedule, self.zone)
            left = working_time_between(now, due, self.schedule, self.zone)
            # Closing the appeal answers the citizen too (the closing notice).
            answered = appeal.first_answered_at or appeal.closed_at
            found.append(
                self._deadline(DeadlineKind.FIRST_RESPONSE, due, target, left, now, answered)
            )
        if appeal.type in self.legal_types:
            due = legal_due(appeal.created_at, self.zone, self.legal_days)
            budget = due - appeal.created_at
            left = max(due - now, timedelta(0))
            found.append(
                self._deadline(DeadlineKind.LEGAL, due, budget, left, now, appeal.closed_at)
            )
        return found

    def _deadline(
        self,
        kind: DeadlineKind,
        due: datetime,
        budget: timedelta,
        left: timedelta,
        now: datetime,
        met_at: datetime | None,
    ) -> Deadline:
        if met_at is not None:
            state = DeadlineState.MET if met_at <= due else DeadlineState.MET_LATE
            return Deadline(kind, due, budget, timedelta(0), max(met_at - due, timedelta(0)), state)
        if now >= due:
            return Deadline(kind, due, budget, timedelta(0), now - due, DeadlineState.BREACHED)
        state = DeadlineState.AT_RISK if left < budget * self.risk_share else DeadlineState.RUNNING
        return Deadline(kind, due, budget, left, timedelta(0), state)


@dataclass(frozen=True, slots=True)
class AppealDeadlines:
    """An appeal's deadlines at one moment, with the marks the check left on it."""

    appeal: Appeal
    deadlines: list[Deadline]
    marks: list[DeadlineMark] = field(default_factory=list)
    supervisors_told: bool = False  # breaches are sent to a supervisors' chat

    def escalated(self, kind: DeadlineKind) -> datetime | None:
        return next(
            (
                mark.marked_at
                for mark in self.marks
                if mark.deadline == kind and mark.mark == DeadlineState.BREACHED
            ),
            None,
        )

    @property
    def breached(self) -> bool:
        return any(item.state == DeadlineState.BREACHED for item in self.deadlines)

    @property
    def at_risk(self) -> bool:
        return any(item.state == DeadlineState.AT_RISK for item in self.deadlines)
