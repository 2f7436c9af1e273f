"""The dashboard's figures (queue, load, days) and its CSV file, masked as on the cards."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dashboard.views import appeal_row, appeals_csv
from bot.domain.dashboard import daily_figures, operator_load, queue_summary
from bot.domain.models import Appeal, AppealStatus, AppealType, OperatorShift
from bot.texts import dashboard as t

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def appeal(
    number: int,
    *,
    age: timedelta = timedelta(hours=2),
    status: AppealStatus = AppealStatus.NEW,
    kind: AppealType = AppealType.TECHNICAL,
    assignee: tuple[int, str] | None = None,
    fields: dict[str, object] | None = None,
) -> Appeal:
    created = NOW - age
    return Appeal(
        id=number,
        number=f"2026-{number:06d}",
        citizen_id=1,
        chat_id=1,
        type=kind,
        status=status,
        fields=fields or {},
        created_at=created,
        updated_at=created,
        closed_at=None,
        assignee_id=assignee[0] if assignee else None,
        assignee_name=assignee[1] if assignee else None,
    )


def test_the_queue_by_status_type_and_age() -> None:
    appeals = [
        appeal(1, age=timedelta(minutes=30)),
        appeal(2, age=timedelta(hours=3), status=AppealStatus.IN_PROGRESS),
        appeal(3, age=timedelta(days=2), kind=AppealType.COMPLAINT),
        appeal(4, age=timedelta(days=5), kind=AppealType.COMPLAINT),
    ]
    queue = queue_summary(appeals, NOW)
    assert queue.total == 4
    assert queue.count(AppealStatus.NEW, AppealType.COMPLAINT) == 2
    assert queue.status_total(AppealStatus.NEW) == 3
    assert queue.type_total(AppealType.TECHNICAL) == 2
    assert queue.by_age == [1, 1, 0, 1, 1]
    assert len(queue.by_age) == len(t.AGE_NAMES)
    assert queue.oldest is not None and queue.oldest.id == 4


def test_load_per_operator_busiest_first_with_those_on_shift() -> None:
    appeals = [
        appeal(1, assignee=(7, "Ирина"), status=AppealStatus.IN_PROGRESS),
        appeal(2, assignee=(7, "Ирина")),
        appeal(3, assignee=(8, "Пётр")),
        appeal(4),
    ]
    shifts = [OperatorShift(9, "Ольга", None), OperatorShift(8, "Пётр", None)]
    loads, unassigned = operator_load(appeals, shifts, shifts)
    assert [(load.name, load.open_appeals, load.in_progress, load.on_shift) for load in loads] == [
        ("Ирина", 2, 1, False),
        ("Пётр", 1, 0, True),
        ("Ольга", 0, 0, True),
    ]
    assert unassigned == 1


def test_days_are_the_support_time_zone_days() -> None:
    # 22.11 21:30 UTC is 23.11 00:30 in Moscow: it counts for the 23rd.
    late = datetime(2026, 11, 22, 21, 30, tzinfo=UTC)
    responses = [
        (late - timedelta(minutes=30), late),
        (late - timedelta(minutes=90), late),
        (late - timedelta(hours=30), late - timedelta(hours=1)),  # 22.11 23:30 Moscow
    ]
    ratings = [(late, 5), (late, 3), (late, 4), (late - timedelta(days=30), 1)]
    days = daily_figures(responses, ratings, date(2026, 11, 23), 3, MOSCOW)
    assert [day.day for day in days] == [date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)]
    assert days[0].answered == 0 and days[0].median_first_response is None and days[0].csat is None
    assert days[1].answered == 1 and days[1].median_first_response == timedelta(hours=29)
    assert days[2].answered == 2 and days[2].median_first_response == timedelta(hours=1)
    assert days[2].ratings == 3
    assert days[2].csat is not None and round(days[2].csat) == 67
    assert days[2].average_rating == 4.0


def test_the_csv_masks_personal_data_as_the_cards_do() -> None:
    typed = appeal(
        42,
        kind=AppealType.ACCESS_RECOVERY,
        fields={
            "full_name": "Иванов Иван Иванович",
            "snils": "112-233-445 95",
            "contact": "+79123456789",
            "description": "Пишите на ivan.petrov@mail.ru или звоните 8 (912) 345-67-89",
        },
    )
    text = appeals_csv([typed], NOW, MOSCOW)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(t.CSV_HEADER)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Номер"] == "2026-000042"
    assert row["Контакт"] == "+7 912 ***-**-89"
    assert row["Суть"] == "Пишите на i***@mail.ru или звоните * (***) ***-**-89"
    assert row["Создано"] == "23.11.2026 10:00"
    for secret in ("Иванов", "112-233-445", "9123456789", "345-67", "ivan.petrov"):
        assert secret not in text
    assert appeal_row(typed, NOW, MOSCOW).age == "2 ч 0 мин"
