from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from bot.domain.models import (
    AppealStatus,
    AppealType,
    ArchivedAppeal,
    Attachment,
    MessageAuthor,
    NewAppeal,
    SlotClaim,
)
from bot.storage.sqlite.appeals import SQLiteAppealRepository
from bot.storage.sqlite.database import Database, Params, Transaction
from tests.storage.conftest import Store, moment

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_migrations_are_recorded_and_not_applied_twice(database: Database) -> None:
    versions = [row[0] for row in await database.fetchall("SELECT version FROM schema_migrations")]
    assert versions[0] == 1
    assert await database.migrate() == []
    mode = await database.fetchone("PRAGMA journal_mode")
    assert mode[0] == "wal"


async def test_phone_change_keeps_the_old_number_in_history(store: Store) -> None:
    citizens = store.citizens
    assert await citizens.change_phone(1, 1, "+79120000001", NOW) is None
    previous = await citizens.change_phone(1, 1, "+79120000002", NOW + timedelta(days=1))
    assert previous == "+79120000001"
    citizen = await citizens.get(1)
    assert citizen is not None and citizen.phone == "+79120000002"
    history = await citizens.phone_history(1)
    assert [(entry.phone, entry.verified_at, entry.replaced_at) for entry in history] == [
        ("+79120000001", NOW, NOW + timedelta(days=1))
    ]


async def test_appeal_numbers_run_per_year(store: Store) -> None:
    appeals = store.appeals

    def new(kind: AppealType) -> NewAppeal:
        return NewAppeal(citizen_id=1, chat_id=1, type=kind, fields={"description": "x"})

    first = await appeals.create(new(AppealType.TECHNICAL), NOW)
    second = await appeals.create(new(AppealType.COMPLAINT), NOW)
    next_year = await appeals.create(new(AppealType.CONSULTATION), datetime(2027, 1, 1, tzinfo=UTC))
    assert (first.number, second.number, next_year.number) == (
        "2026-000001",
        "2026-000002",
        "2027-000001",
    )
    assert first.status == AppealStatus.NEW


async def test_appeal_keeps_fields_attachments_and_messages(store: Store) -> None:
    appeals = store.appeals
    created = await appeals.create(
        NewAppeal(
            citizen_id=7,
            chat_id=7,
            type=AppealType.COMPLAINT,
            fields={"topic": "Не дозвониться", "attempts": ["2026-11-20T10:15"]},
            attachments=[
                Attachment("photo", "F1", "U1"),
                Attachment("document", "F2", "U2", "a.pdf"),
            ],
        ),
        NOW,
    )
    loaded = await appeals.get_by_number(created.number)
    assert loaded is not None
    assert loaded.fields == {"topic": "Не дозвониться", "attempts": ["2026-11-20T10:15"]}
    assert loaded.attachments == [
        Attachment("photo", "F1", "U1", None),
        Attachment("document", "F2", "U2", "a.pdf"),
    ]
    await appeals.add_message(created.id, MessageAuthor.CITIZEN, 7, "Добавлю: звонил ещё", NOW)
    messages = await appeals.messages(created.id)
    assert [(m.author, m.text) for m in messages] == [
        (MessageAuthor.CITIZEN, "Добавлю: звонил ещё")
    ]


async def test_citizen_listing_is_newest_first_and_paged(store: Store) -> None:
    appeals = store.appeals
    for offset in range(7):
        await appeals.create(
            NewAppeal(citizen_id=5, chat_id=5, type=AppealType.TECHNICAL, fields={}),
            NOW + timedelta(minutes=offset),
        )
    await appeals.create(
        NewAppeal(citizen_id=6, chat_id=6, type=AppealType.TECHNICAL, fields={}), NOW
    )
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


async def test_a_page_of_appeals_carries_each_ones_attachments_and_call(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    appeals = store.appeals
    photos = {
        n: [Attachment("photo", f"F{n}-{k}", f"U{n}-{k}") for k in range(n % 3)] for n in range(4)
    }
    for n, attachments in photos.items():
        await appeals.create(
            NewAppeal(
                citizen_id=5,
                chat_id=5,
                type=AppealType.COMPLAINT,
                fields={},
                attachments=attachments,
            ),
            NOW + timedelta(minutes=n),
        )
    slot = SlotClaim(NOW + timedelta(days=1), NOW + timedelta(days=1, minutes=30), capacity=2)
    booked = await store.call_booking.book(
        NewAppeal(citizen_id=5, chat_id=5, type=AppealType.CALLBACK, fields={}),
        slot,
        NOW + timedelta(minutes=9),
    )
    assert booked is not None
    queries = count_queries(store, monkeypatch)

    page = await appeals.list_for_citizen(5, limit=5, offset=0)

    assert [(appeal.number, appeal.attachments, appeal.call is not None) for appeal in page] == [
        (booked.number, [], True),
        *((f"2026-00000{n + 1}", photos[n], False) for n in (3, 2, 1, 0)),
    ]
    assert page[0].call is not None and page[0].call.start == slot.start
    # The page with its calls and attachments in one statement: not two more per appeal.
    assert queries == ["SELECT"]


async def test_each_appeal_of_a_page_keeps_its_own_attachments_in_order(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    appeals = SQLiteAppealRepository(database)
    for n in range(5):
        await appeals.create(
            NewAppeal(
                citizen_id=8,
                chat_id=8,
                type=AppealType.TECHNICAL,
                fields={},
                attachments=[
                    Attachment("document", f"F{n}-{k}", f"U{n}-{k}", f"{n}-{k}.pdf")
                    for k in (0, 1, 2)
                ],
            ),
            NOW + timedelta(minutes=n),
        )
    queries = count_sqlite_queries(monkeypatch)

    page = await appeals.list_for_citizen(8, limit=10, offset=0)

    assert [[item.file_name for item in appeal.attachments] for appeal in page] == [
        [f"{n}-{k}.pdf" for k in (0, 1, 2)] for n in (4, 3, 2, 1, 0)
    ]
    assert queries == ["SELECT"]  # the page with every appeal's attachments and call


def count_queries(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The reads of several rows from now on (their first word), on either backend."""
    if store.backend == "sqlite":
        return count_sqlite_queries(monkeypatch)
    seen: list[str] = []
    fetch = asyncpg.Connection.fetch

    async def counted_fetch(
        self: asyncpg.Connection, sql: str, *args: Any, **kwargs: Any
    ) -> list[asyncpg.Record]:
        seen.append(sql.split()[0])
        return await fetch(self, sql, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetch", counted_fetch)
    return seen


def count_sqlite_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements run through :class:`Transaction` reads from now on (their first word)."""
    seen: list[str] = []
    fetchall = Transaction.fetchall

    async def counted(self: Transaction, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        seen.append(sql.split()[0])
        return await fetchall(self, sql, params)

    monkeypatch.setattr(Transaction, "fetchall", counted)
    return seen


async def test_consent_is_kept_per_version_with_the_first_moment(store: Store) -> None:
    consents = store.consents
    first = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert not await consents.has(7, "1")
    await consents.give(7, "1", first)
    await consents.give(7, "1", first + timedelta(days=1))  # pressed again: still given at first
    await consents.give(7, "2", first + timedelta(days=30))
    assert await consents.has(7, "1") and await consents.has(7, "2")
    assert not await consents.has(8, "1")
    given = await store.rows(
        "SELECT version, given_at FROM consents WHERE user_id = $1 ORDER BY version", 7
    )
    assert [(version, moment(at)) for version, at in given] == [
        ("1", first),
        ("2", first + timedelta(days=30)),
    ]


async def test_an_imported_archive_keeps_its_numbers_and_new_ones_follow(store: Store) -> None:
    archived = [
        ArchivedAppeal(
            f"2025-{n:06d}",
            9,
            9,
            AppealType.COMPLAINT,
            AppealStatus.CLOSED,
            {"description": f"архив {n}", "n": n},
            NOW - timedelta(days=400 - n),
            NOW - timedelta(days=300),
        )
        for n in (5, 17, 3)
    ]
    assert await store.archive.import_archive(store.database, archived) == 3
    assert (
        await store.archive.import_archive(
            store.database,
            [
                ArchivedAppeal(
                    "2025-000002",
                    9,
                    9,
                    AppealType.TECHNICAL,
                    AppealStatus.CLOSED,
                    {},
                    NOW - timedelta(days=390),
                )
            ],
        )
        == 1
    )

    assert await store.archive.count_appeals(store.database) == 4
    old = await store.appeals.get_by_number("2025-000017")
    assert old is not None and old.fields == {"description": "архив 17", "n": 17}
    assert old.closed_at == NOW - timedelta(days=300)
    new = await store.appeals.create(
        NewAppeal(9, 9, AppealType.TECHNICAL, {}), datetime(2025, 12, 31, tzinfo=UTC)
    )
    assert new.number == "2025-000018"  # past the highest imported, never back


async def test_every_lookup_a_citizen_triggers_has_a_plan(store: Store) -> None:
    plans = await store.archive.lookup_plans(store.database)
    assert set(plans) == {
        "status by number",
        "my appeals: count",
        "my appeals: page",
        "history of an appeal",
    }
    assert all(plans.values())
