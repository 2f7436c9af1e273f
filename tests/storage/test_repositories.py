from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import AppealStatus, AppealType, Attachment, MessageAuthor, NewAppeal
from storage.sqlite.appeals import SQLiteAppealRepository
from storage.sqlite.citizens import SQLiteCitizenRepository
from storage.sqlite.database import Database

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_migrations_are_recorded_and_not_applied_twice(database: Database) -> None:
    versions = [row[0] for row in await database.fetchall("SELECT version FROM schema_migrations")]
    assert versions[0] == 1
    assert await database.migrate() == []
    mode = await database.fetchone("PRAGMA journal_mode")
    assert mode[0] == "wal"


async def test_phone_change_keeps_the_old_number_in_history(database: Database) -> None:
    citizens = SQLiteCitizenRepository(database)
    assert await citizens.change_phone(1, 1, "+79120000001", NOW) is None
    previous = await citizens.change_phone(1, 1, "+79120000002", NOW + timedelta(days=1))
    assert previous == "+79120000001"
    citizen = await citizens.get(1)
    assert citizen is not None and citizen.phone == "+79120000002"
    history = await citizens.phone_history(1)
    assert [(entry.phone, entry.verified_at, entry.replaced_at) for entry in history] == [
        ("+79120000001", NOW, NOW + timedelta(days=1))
    ]


async def test_appeal_numbers_run_per_year(database: Database) -> None:
    appeals = SQLiteAppealRepository(database)

    def new(kind: AppealType) -> NewAppeal:
        return NewAppeal(citizen_id=1, chat_id=1, type=kind, fields={"description": "x"})

    first = await appeals.create(new(AppealType.TECHNICAL), NOW)
    second = await appeals.create(new(AppealType.COMPLAINT), NOW)
    next_year = await appeals.create(new(AppealType.CONSULTATION), datetime(2027, 1, 1, tzinfo=UTC))
    assert (first.number, second.number, next_year.number) == (
        "2026-000001", "2026-000002", "2027-000001",
    )
    assert first.status == AppealStatus.NEW


async def test_appeal_keeps_fields_attachments_and_messages(database: Database) -> None:
    appeals = SQLiteAppealRepository(database)
    created = await appeals.create(
        NewAppeal(
            citizen_id=7, chat_id=7, type=AppealType.COMPLAINT,
            fields={"topic": "Не дозвониться", "attempts": ["2026-11-20T10:15"]},
            attachments=[Attachment("photo", "F1", "U1"), Attachment("document", "F2", "U2", "a.pdf")],
        ),
        NOW,
    )
    loaded = await appeals.get_by_number(created.number)
    assert loaded is not None
    assert loaded.fields == {"topic": "Не дозвониться", "attempts": ["2026-11-20T10:15"]}
    assert loaded.attachments == [
        Attachment("photo", "F1", "U1", None), Attachment("document", "F2", "U2", "a.pdf"),
    ]
    await appeals.add_message(created.id, MessageAuthor.CITIZEN, 7, "Добавлю: звонил ещё", NOW)
    messages = await appeals.messages(created.id)
    assert [(m.author, m.text) for m in messages] == [(MessageAuthor.CITIZEN, "Добавлю: звонил ещё")]


async def test_citizen_listing_is_newest_first_and_paged(database: Database) -> None:
    appeals = SQLiteAppealRepository(database)
    for offset in range(7):
        await appeals.create(
            NewAppeal(citizen_id=5, chat_id=5, type=AppealType.TECHNICAL, fields={}),
            NOW + timedelta(minutes=offset),
        )
    await appeals.create(NewAppeal(citizen_id=6, chat_id=6, type=AppealType.TECHNICAL, fields={}), NOW)
    page = await appeals.list_for_citizen(5, limit=5, offset=0)
    assert [appeal.number for appeal in page] == [f"2026-00000{n}" for n in (7, 6, 5, 4, 3)]
    assert await appeals.count_for_citizen(5) == 7
    assert len(await appeals.list_for_citizen(5, limit=5, offset=5)) == 2


async def test_data_survives_reopening_the_file(settings, database: Database) -> None:
    appeals = SQLiteAppealRepository(database)
    created = await appeals.create(
        NewAppeal(citizen_id=1, chat_id=1, type=AppealType.TECHNICAL, fields={}), NOW
    )
    await database.close()
    reopened = Database(settings.database_path)
    await reopened.connect()
    try:
        assert await SQLiteAppealRepository(reopened).get_by_number(created.number) is not None
    finally:
        await reopened.close()
