from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deadlines import (
    DeadlineKind,
    DeadlineState,
    SlaError,
    SlaPolicy,
    add_working_time,
    legal_due,
    parse_sla,
    parse_span,
    working_time_between,
)
from bot.domain.models import Appeal, AppealStatus, AppealType
from bot.domain.working_hours import parse_working_hours

MSK = ZoneInfo("Europe/Moscow")
WEEKDAYS = parse_working_hours("mon-fri 09:00-13:00,14:00-18:00")


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment of late 2026, Moscow time (23 November is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


def appeal(
    kind: AppealType,
    created: datetime,
    *,
    answered: datetime | None = None,
    closed: datetime | None = None,
) -> Appeal:
    return Appeal(
        id=1,
        number="2026-000001",
        citizen_id=1,
        chat_id=1,
        type=kind,
        status=AppealStatus.CLOSED if closed else AppealStatus.NEW,
        fields={},
        created_at=created.astimezone(UTC),
        updated_at=created.astimezone(UTC),
        closed_at=closed,
        first_answered_at=answered,
    )


def test_sla_setting_parsed() -> None:
    assert parse_sla("technical:2h, complaint:4h;consultation:1h30m") == {
        AppealType.TECHNICAL: timedelta(hours=2),
        AppealType.COMPLAINT: timedelta(hours=4),
        AppealType.CONSULTATION: timedelta(minutes=90),
    }
    assert parse_sla("") == {}
    assert parse_span("45m") == timedelta(minutes=45)


@pytest.mark.parametrize(
    "text",
    [
        "technical",
        "nonsense:2h",
        "technical:2",
        "technical:0h",
        "technical:2h,technical:3h",
        "complaint:2d",
    ],
)
def test_sla_setting_refused(text: str) -> None:
    with pytest.raises(SlaError):
        parse_sla(text)


def test_working_time_skips_lunch_nights_and_weekends() -> None:
    # Monday 12:00 + 2 h: one hour before lunch, one after it.
    assert add_working_time(local(23, 12), timedelta(hours=2), WEEKDAYS, MSK) == local(23, 15)
    # Friday 17:00 + 4 h: one hour on Friday, three on Monday morning (lunch at 13:00).
    assert add_working_time(local(27, 17), timedelta(hours=4), WEEKDAYS, MSK) == local(30, 12)
    # Filed on Saturday night: the clock starts on Monday at 09:00.
    assert add_working_time(local(28, 23), timedelta(hours=1), WEEKDAYS, MSK) == local(30, 10)
    # Exactly the end of a working interval.
    assert add_working_time(local(23, 9), timedelta(hours=4), WEEKDAYS, MSK) == local(23, 13)


def test_holidays_are_skipped() -> None:
    schedule = WEEKDAYS.with_holidays(frozenset({date(2026, 11, 30), date(2026, 12, 1)}))
    assert add_working_time(local(27, 17), timedelta(hours=2), schedule, MSK) == local(
        2, 10, month=12
    )
    assert working_time_between(local(27, 17), local(2, 10, month=12), schedule, MSK) == timedelta(
        hours=2
    )


def test_around_the_clock_is_plain_arithmetic() -> None:
    always = parse_working_hours("")
    assert add_working_time(local(28, 23), timedelta(hours=2), always, MSK) == local(29, 1)
    assert working_time_between(local(28, 23), local(29, 1), always, MSK) == timedelta(hours=2)


def test_working_time_between() -> None:
    assert working_time_between(local(23, 8), local(23, 20), WEEKDAYS, MSK) == timedelta(hours=8)
    assert working_time_between(local(27, 17), local(30, 10), WEEKDAYS, MSK) == timedelta(hours=2)
    assert working_time_between(local(30, 10), local(27, 17), WEEKDAYS, MSK) == timedelta(0)


def test_legal_term_is_thirty_calendar_days_after_registration() -> None:
    # Registered on 2 December: the term runs from 3 December and ends with 1 January.
    assert legal_due(local(2, 15, month=12), MSK) == datetime(2027, 1, 2, tzinfo=MSK)
    # Late evening in Moscow is the same local day even though UTC says otherwise.
    assert legal_due(datetime(2026, 12, 2, 22, 30, tzinfo=UTC), MSK) == datetime(
        2027, 1, 3, tzinfo=MSK
    )


def policy() -> SlaPolicy:
    return SlaPolicy(
        {AppealType.COMPLAINT: timedelta(hours=4)},
        WEEKDAYS,
        MSK,
        legal_types=frozenset({AppealType.COMPLAINT}),
    )


def test_states_over_time() -> None:
    filed = appeal(AppealType.COMPLAINT, local(23, 9))
    first, legal = policy().deadlines(filed, local(23, 10))
    assert first.kind == DeadlineKind.FIRST_RESPONSE and legal.kind == DeadlineKind.LEGAL
    assert first.due == local(23, 13) and first.left == timedelta(hours=3)
    assert first.state == DeadlineState.RUNNING and legal.state == DeadlineState.RUNNING
    # 12:15: 45 minutes of 4 hours left (under 20%).
    first, _ = policy().deadlines(filed, local(23, 12, 15))
    assert first.state == DeadlineState.AT_RISK and first.left == timedelta(minutes=45)
    # 12:12: exactly 48 minutes left, which is 20%: not yet at risk.
    assert policy().deadlines(filed, local(23, 12, 12))[0].state == DeadlineState.RUNNING
    first, _ = policy().deadlines(filed, local(23, 14, 30))
    assert first.state == DeadlineState.BREACHED and first.overdue == timedelta(minutes=90)


def test_met_and_met_late() -> None:
    answered = appeal(AppealType.COMPLAINT, local(23, 9), answered=local(23, 11))
    first, legal = policy().deadlines(answered, local(24, 9))
    assert first.state == DeadlineState.MET and legal.state == DeadlineState.RUNNING
    late = appeal(
        AppealType.COMPLAINT, local(23, 9), answered=local(23, 15), closed=local(23, 23, month=12)
    )
    first, legal = policy().deadlines(late, local(25, 9, month=12))
    assert first.state == DeadlineState.MET_LATE and first.overdue == timedelta(hours=2)
    assert legal.state == DeadlineState.MET  # the 30th day is 23 December
    closed_late = appeal(
        AppealType.COMPLAINT,
        local(23, 9),
        answered=local(23, 11),
        closed=local(24, 0, 30, month=12),
    )
    assert (
        policy().deadlines(closed_late, local(25, 9, month=12))[1].state == DeadlineState.MET_LATE
    )


def test_types_without_targets_have_no_deadlines() -> None:
    assert policy().deadlines(appeal(AppealType.TECHNICAL, local(23, 9)), local(23, 10)) == []
