from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.working_hours import WorkingHoursError, parse_working_hours
from bot.rendering.operators import describe_schedule, off_hours_note

MSK = ZoneInfo("Europe/Moscow")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Moscow time (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=MSK)


def test_empty_means_around_the_clock() -> None:
    schedule = parse_working_hours("")
    assert schedule.always_open
    assert schedule.is_open(local(29, 3))
    assert schedule.next_opening(local(29, 3)) is None


def test_same_hours_every_day() -> None:
    schedule = parse_working_hours("09:00-18:00")
    assert schedule.is_open(local(29, 9))
    assert schedule.is_open(local(29, 17, 59))
    assert not schedule.is_open(local(29, 18))
    assert schedule.next_opening(local(29, 18)) == local(30, 9)
    assert schedule.next_opening(local(29, 8, 30)) == local(29, 9)


def test_weekdays_lunch_break_and_saturday() -> None:
    schedule = parse_working_hours("mon-fri 09:00-13:00,14:00-18:00; sat 10:00-15:00")
    assert schedule.is_open(local(23, 12, 59))
    assert not schedule.is_open(local(23, 13, 30))
    assert schedule.next_opening(local(23, 13, 30)) == local(23, 14)
    assert schedule.next_opening(local(27, 19)) == local(28, 10)  # Friday evening -> Saturday
    assert schedule.next_opening(local(28, 16)) == local(30, 9)  # Saturday -> Monday
    assert not schedule.is_open(local(29, 12))  # Sunday


def test_midnight_end_and_day_lists() -> None:
    schedule = parse_working_hours("mon,wed 20:00-24:00")
    assert schedule.is_open(local(23, 23, 59))
    assert not schedule.is_open(local(24, 21))
    assert schedule.next_opening(local(24, 21)) == local(25, 20)


@pytest.mark.parametrize(
    "text",
    [
        "9-18",
        "09:00-08:00",
        "mon-fri",
        "fri-mon 09:00-18:00",
        "xyz 09:00-18:00",
        "09:00-25:00",
        "mon 09:00-12:00,11:00-13:00",
        "mon 22:00-06:00",
    ],
)
def test_refused_schedules(text: str) -> None:
    with pytest.raises(WorkingHoursError):
        parse_working_hours(text)


def test_schedule_described_in_russian() -> None:
    schedule = parse_working_hours("mon-fri 09:00-13:00,14:00-18:00; sat 10:00-15:00")
    assert describe_schedule(schedule) == "пн–пт 09:00–13:00, 14:00–18:00; сб 10:00–15:00"


def test_off_hours_note_says_when_operators_answer() -> None:
    schedule = parse_working_hours("mon-fri 09:00-18:00")
    friday_night = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)  # 20:30 in Moscow
    note = off_hours_note(schedule, friday_night, MSK)
    assert note is not None
    assert "специалисты работают пн–пт 09:00–18:00 (по московскому времени)" in note
    assert "в понедельник, 30.11, в 09:00" in note
    early = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 07:00 Tuesday in Moscow
    assert "сегодня в 09:00" in (off_hours_note(schedule, early, MSK) or "")
    evening = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 19:00 Tuesday
    assert "завтра в 09:00" in (off_hours_note(schedule, evening, MSK) or "")
    assert off_hours_note(schedule, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), MSK) is None


def test_holidays_close_the_desk_all_day() -> None:
    from datetime import date

    schedule = parse_working_hours("mon-fri 09:00-18:00").with_holidays(
        frozenset({date(2026, 11, 24), date(2026, 11, 25)})
    )
    assert schedule.is_open(local(23, 10))
    assert not schedule.is_open(local(24, 10))  # a holiday Tuesday
    assert schedule.next_opening(local(23, 19)) == local(26, 9)  # Wednesday off too
    around_the_clock = parse_working_hours("").with_holidays(frozenset({date(2026, 11, 24)}))
    assert around_the_clock.is_open(local(24, 10))


def test_holidays_setting_reaches_the_schedule() -> None:
    from bot.settings import Settings

    settings = Settings(_env_file=None, working_hours="09:00-18:00", holidays="2026-11-24")
    assert not settings.schedule.is_open(local(24, 10))
    assert settings.schedule.next_opening(local(24, 10)) == local(25, 9)
