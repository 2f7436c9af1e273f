"""The slot logic of callback requests: pure functions, time from a ManualClock.

The clock starts on Monday 23.11.2026 at 09:00 UTC, 12:00 in Moscow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.clock import ManualClock
from bot.domain.slots import (
    SlotPolicy,
    SlotProblem,
    bookable_days,
    booking_window,
    can_change,
    day_slots,
    free_slots,
    is_overdue,
    is_working_day,
    offered_days,
    slot_at,
    slot_end,
    slot_problem,
    taken,
)
from bot.domain.working_hours import parse_working_hours
from bot.settings import Settings, describe_settings_error

MOSCOW = ZoneInfo("Europe/Moscow")
MONDAY = date(2026, 11, 23)


def policy(
    hours: str = "mon-fri 09:00-18:00",
    *,
    minutes: int = 30,
    capacity: int = 2,
    days_ahead: int = 3,
    holidays: tuple[str, ...] = (),
    lead: int = 0,
    change_notice: int = 0,
) -> SlotPolicy:
    """Without a change lock unless asked: the tests of offering see the lead alone."""
    return SlotPolicy(
        schedule=parse_working_hours(hours),
        zone=MOSCOW,
        length=timedelta(minutes=minutes),
        capacity=capacity,
        days_ahead=days_ahead,
        holidays=frozenset(date.fromisoformat(day) for day in holidays),
        lead=timedelta(minutes=lead),
        change_notice=timedelta(minutes=change_notice),
    )


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime.combine(day, datetime.min.time(), tzinfo=MOSCOW).replace(
        hour=int(hours), minute=int(minutes)
    )


def times(slots: list[datetime]) -> list[str]:
    return [f"{slot.astimezone(MOSCOW):%H:%M}" for slot in slots]


def booking(day: date, hhmm: str, minutes: int = 30) -> tuple[datetime, datetime]:
    start = at(day, hhmm)
    return start, start + timedelta(minutes=minutes)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


# --- working hours: the slots of a day ----------------------------------------------------


def test_a_working_day_is_cut_into_slots_that_fit_the_hours() -> None:
    slots = day_slots(MONDAY, policy())
    assert len(slots) == 18
    assert times(slots)[:3] == ["09:00", "09:30", "10:00"] and times(slots)[-1] == "17:30"


def test_a_lunch_break_has_no_slots_and_a_slot_never_runs_past_closing() -> None:
    slots = times(day_slots(MONDAY, policy("mon-fri 09:00-13:00,14:00-18:00", minutes=45)))
    assert slots == [
        "09:00",
        "09:45",
        "10:30",
        "11:15",
        "12:00",
        "14:00",
        "14:45",
        "15:30",
        "16:15",
        "17:00",
    ]
    assert "13:00" not in slots


def test_days_without_hours_have_no_slots_and_around_the_clock_has_all() -> None:
    assert day_slots(date(2026, 11, 28), policy()) == []  # Saturday
    whole_day = day_slots(MONDAY, policy(""))
    assert len(whole_day) == 48 and times(whole_day)[-1] == "23:30"


def test_slots_are_local_times_stored_as_utc() -> None:
    slot = slot_at(MONDAY, 14 * 60, policy())
    assert slot.astimezone(UTC) == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert slot_end(slot, policy()) == at(MONDAY, "14:30")


# --- which days are offered: today and the next working days, holidays skipped ------------


def test_today_and_the_next_working_days(clock: ManualClock) -> None:
    assert bookable_days(clock.now(), policy(days_ahead=3)) == [
        MONDAY,
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),
    ]


def test_weekends_are_skipped_and_a_weekend_today_is_not_offered(clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday
    assert bookable_days(clock.now(), policy(days_ahead=2)) == [
        date(2026, 11, 27),
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday
    assert bookable_days(clock.now(), policy(days_ahead=2)) == [
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]


def test_holidays_from_the_settings_list_are_skipped(clock: ManualClock) -> None:
    holidays = policy(days_ahead=2, holidays=("2026-12-31", "2027-01-01"))
    assert not is_working_day(date(2026, 12, 31), holidays)
    clock.set(datetime(2026, 12, 30, 9, 0, tzinfo=UTC))  # Wednesday
    assert bookable_days(clock.now(), holidays) == [
        date(2026, 12, 30),
        date(2027, 1, 4),
        date(2027, 1, 5),
    ]
    clock.set(datetime(2026, 12, 31, 9, 0, tzinfo=UTC))  # the holiday itself
    assert bookable_days(clock.now(), holidays)[0] == date(2027, 1, 4)
    assert free_slots(date(2026, 12, 31), clock.now(), holidays, []) == []


def test_holidays_apply_around_the_clock_too(clock: ManualClock) -> None:
    assert bookable_days(clock.now(), policy("", days_ahead=1, holidays=("2026-11-24",))) == [
        MONDAY,
        date(2026, 11, 25),
    ]


def test_only_today_when_no_days_ahead(clock: ManualClock) -> None:
    assert bookable_days(clock.now(), policy(days_ahead=0)) == [MONDAY]


def test_the_booking_window_spans_the_offered_days(clock: ManualClock) -> None:
    start, end = booking_window(clock.now(), policy(days_ahead=1))
    assert start == at(MONDAY, "00:00") and end == at(date(2026, 11, 25), "00:00")


# --- past and full slots are not offered ----------------------------------------------------


def test_past_slots_and_slots_within_the_lead_are_not_offered(clock: ManualClock) -> None:
    assert times(free_slots(MONDAY, clock.now(), policy(), []))[0] == "12:00"
    assert times(free_slots(MONDAY, clock.now(), policy(lead=15), []))[0] == "12:30"
    clock.advance(minutes=1)  # 12:01: the 12:00 slot has begun
    assert times(free_slots(MONDAY, clock.now(), policy(), []))[0] == "12:30"
    tomorrow = free_slots(date(2026, 11, 24), clock.now(), policy(), [])
    assert times(tomorrow)[0] == "09:00" and len(tomorrow) == 18


def test_slots_inside_the_change_lock_are_neither_offered_nor_booked(clock: ManualClock) -> None:
    locked = policy(lead=15, change_notice=60)  # 12:00: a call from 13:00 can still be moved
    assert times(free_slots(MONDAY, clock.now(), locked, []))[0] == "13:00"
    assert slot_problem(at(MONDAY, "12:30"), clock.now(), locked, []) == SlotProblem.GONE
    assert slot_problem(at(MONDAY, "13:00"), clock.now(), locked, []) is None
    assert can_change(at(MONDAY, "13:00"), clock.now(), locked)
    clock.set(datetime(2026, 11, 23, 14, 31, tzinfo=UTC))  # 17:31: 18:00 is the day's end
    assert offered_days(clock.now(), locked, []) == [
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),
    ]


def test_a_slot_with_as_many_calls_as_operators_is_full(clock: ManualClock) -> None:
    two = [booking(MONDAY, "14:00"), booking(MONDAY, "14:00")]
    offered = times(free_slots(MONDAY, clock.now(), policy(capacity=2), two))
    assert "14:00" not in offered and "13:30" in offered and "14:30" in offered
    assert "14:00" in times(free_slots(MONDAY, clock.now(), policy(capacity=3), two))
    assert taken(at(MONDAY, "14:00"), policy(), two) == 2


def test_a_longer_booking_counts_in_every_slot_it_overlaps(clock: ManualClock) -> None:
    hour_long = [booking(MONDAY, "14:00", minutes=60)]
    offered = times(free_slots(MONDAY, clock.now(), policy(capacity=1), hour_long))
    assert "14:00" not in offered and "14:30" not in offered and "15:00" in offered


def test_a_day_with_every_slot_full_is_not_offered(clock: ManualClock) -> None:
    tuesday = date(2026, 11, 24)
    full = [booking(tuesday, time) for time in times(day_slots(tuesday, policy()))]
    days = offered_days(clock.now(), policy(capacity=1, days_ahead=2), full)
    assert days == [MONDAY, date(2026, 11, 25)]


def test_today_after_the_last_slot_is_not_offered(clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 23, 14, 45, tzinfo=UTC))  # 17:45 in Moscow
    assert offered_days(clock.now(), policy(days_ahead=1), []) == [date(2026, 11, 24)]


@pytest.mark.parametrize(
    ("day", "hhmm", "problem"),
    [
        (MONDAY, "14:00", None),
        (MONDAY, "11:30", SlotProblem.GONE),  # in the past
        (MONDAY, "14:10", SlotProblem.GONE),  # not a slot start
        (MONDAY, "18:00", SlotProblem.GONE),  # after closing
        (date(2026, 11, 28), "10:00", SlotProblem.GONE),  # Saturday
        (date(2026, 12, 4), "10:00", SlotProblem.GONE),  # beyond the days offered
        (date(2026, 11, 24), "10:00", SlotProblem.GONE),  # a holiday
        (MONDAY, "15:00", SlotProblem.FULL),
    ],
)
def test_slot_problems(
    clock: ManualClock, day: date, hhmm: str, problem: SlotProblem | None
) -> None:
    rules = policy(capacity=1, holidays=("2026-11-24",))
    assert slot_problem(at(day, hhmm), clock.now(), rules, [booking(MONDAY, "15:00")]) == problem


# --- moving and cancelling: the one-hour rule; unmarked calls ------------------------------


def test_a_call_can_be_changed_until_an_hour_before_it(clock: ManualClock) -> None:
    start = at(MONDAY, "14:00")
    rules = policy(change_notice=60)
    clock.set(start - timedelta(hours=2))
    assert can_change(start, clock.now(), rules)
    clock.set(start - timedelta(hours=1))
    assert can_change(start, clock.now(), rules)
    clock.advance(seconds=1)
    assert not can_change(start, clock.now(), rules)
    clock.set(start + timedelta(minutes=5))
    assert not can_change(start, clock.now(), rules)


def test_a_call_is_overdue_an_hour_after_its_start(clock: ManualClock) -> None:
    start = at(MONDAY, "14:00")
    clock.set(start + timedelta(minutes=59))
    assert not is_overdue(start, clock.now(), policy())
    clock.set(start + timedelta(hours=1))
    assert is_overdue(start, clock.now(), policy())


# --- settings -------------------------------------------------------------------------------


def test_holidays_are_a_comma_separated_list_of_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOLIDAYS", "2026-12-31, 2027-01-01")
    assert Settings(_env_file=None).holidays == {date(2026, 12, 31), date(2027, 1, 1)}
    monkeypatch.setenv("HOLIDAYS", "")
    assert Settings(_env_file=None).holidays == frozenset()


def test_a_malformed_holiday_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOLIDAYS", "31.12.2026")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    assert describe_settings_error(caught.value).startswith("Ошибка настройки: HOLIDAYS: ")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CALLBACK_SLOT_MINUTES", "0"),
        ("CALLBACK_OPERATORS_PER_SLOT", "0"),
        ("CALLBACK_DAYS_AHEAD", "-1"),
    ],
)
def test_callback_numbers_are_checked(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    assert name in describe_settings_error(caught.value)
