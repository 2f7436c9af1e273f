"""What the supervisors' dashboard shows, computed from plain data: pure, no I/O.

The queue by status, type and age; the load per operator; first-response time and
CSAT by day (in the support's time zone); the search criteria and the audit log's rows.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.models import Appeal, AppealStatus, AppealType, OperatorShift
from bot.domain.signin import Role

# The age of an open appeal (since it was filed), in buckets: upper bounds.
AGE_BUCKETS: tuple[timedelta, ...] = (
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(days=1),
    timedelta(days=3),
)
SATISFIED_FROM = 4  # of 5: CSAT is the share of ratings 4 and 5


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    EXPORT = "export"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    user_id: int
    role: Role
    action: AuditAction
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AppealSearch:
    """Criteria of a search; ``created_from``/``created_before`` are UTC bounds [from, before)."""

    number: str | None = None  # a part of the number: digits and "-"
    status: AppealStatus | None = None
    type: AppealType | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueSummary:
    by_status_and_type: dict[tuple[AppealStatus, AppealType], int]
    by_age: list[int]  # per AGE_BUCKETS, and one more for older
    oldest: Appeal | None
    total: int

    def count(self, status: AppealStatus, kind: AppealType) -> int:
        return self.by_status_and_type.get((status, kind), 0)

    def status_total(self, status: AppealStatus) -> int:
        return sum(n for (s, _), n in self.by_status_and_type.items() if s == status)

    def type_total(self, kind: AppealType) -> int:
        return sum(n for (_, t), n in self.by_status_and_type.items() if t == kind)


def age_bucket(age: timedelta) -> int:
    return next((index for index, bound in enumerate(AGE_BUCKETS) if age < bound), len(AGE_BUCKETS))


def queue_summary(open_appeals: Iterable[Appeal], now: datetime) -> QueueSummary:
    appeals = list(open_appeals)
    cells = Counter((appeal.status, appeal.type) for appeal in appeals)
    by_age = [0] * (len(AGE_BUCKETS) + 1)
    for appeal in appeals:
        by_age[age_bucket(now - appeal.created_at)] += 1
    oldest = min(appeals, key=lambda appeal: (appeal.created_at, appeal.id), default=None)
    return QueueSummary(dict(cells), by_age, oldest, len(appeals))


@dataclass(frozen=True, slots=True)
class OperatorLoad:
    operator_id: int
    name: str
    open_appeals: int
    in_progress: int
    on_shift: bool


def operator_load(
    open_appeals: Iterable[Appeal],
    on_shift: Sequence[OperatorShift],
    known: Sequence[OperatorShift],
) -> tuple[list[OperatorLoad], int]:
    """Open appeals per assignee (busiest first) and how many have nobody yet."""
    names = {shift.operator_id: shift.name for shift in known}
    shifts = {shift.operator_id for shift in on_shift}
    counts: Counter[int] = Counter()
    working: Counter[int] = Counter()
    unassigned = 0
    for appeal in open_appeals:
        if appeal.assignee_id is None:
            unassigned += 1
            continue
        counts[appeal.assignee_id] += 1
        names.setdefault(appeal.assignee_id, appeal.assignee_name or str(appeal.assignee_id))
        if appeal.status == AppealStatus.IN_PROGRESS:
            working[appeal.assignee_id] += 1
    everyone = set(counts) | shifts
    loads = [
        OperatorLoad(
            operator_id,
            names.get(operator_id, str(operator_id)),
            counts[operator_id],
            working[operator_id],
            operator_id in shifts,
        )
        for operator_id in everyone
    ]
    loads.sort(key=lambda load: (-load.open_appeals, load.name, load.operator_id))
    return loads, unassigned


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    answered: int = 0  # appeals whose first answer came that day
    median_first_response: timedelta | None = None
    ratings: int = 0
    csat: float | None = None  # percent of ratings >= SATISFIED_FROM
    average_rating: float | None = None


def day_range(today: date, days: int) -> list[date]:
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def daily_figures(
    first_responses: Iterable[tuple[datetime, datetime]],
    ratings: Iterable[tuple[datetime, int]],
    today: date,
    days: int,
    zone: ZoneInfo,
) -> list[DayFigures]:
    """Per local day of the last ``days`` (ending ``today``): first responses by the day of
    the answer (created, answered), ratings by the day they were given (rated, score)."""
    wanted = day_range(today, days)
    waits: dict[date, list[float]] = {day: [] for day in wanted}
    scores: dict[date, list[int]] = {day: [] for day in wanted}
    for created, answered in first_responses:
        day = answered.astimezone(zone).date()
        if day in waits:
            waits[day].append(max((answered - created).total_seconds(), 0.0))
    for rated, score in ratings:
        day = rated.astimezone(zone).date()
        if day in scores:
            scores[day].append(score)
    figures = []
    for day in wanted:
        day_waits, day_scores = waits[day], scores[day]
        figures.append(
            DayFigures(
                day,
                answered=len(day_waits),
                median_first_response=(
                    timedelta(seconds=statistics.median(day_waits)) if day_waits else None
                ),
                ratings=len(day_scores),
                csat=(
                    100.0 * sum(score >= SATISFIED_FROM for score in day_scores) / len(day_scores)
                    if day_scores
                    else None
                ),
                average_rating=statistics.fmean(day_scores) if day_scores else None,
            )
        )
    return figures
