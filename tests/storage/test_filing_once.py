"""An appeal is filed once per update, on both backends: the update that filed one, handled
again (its process died before the citizen was told the number), files nothing more, also
when two processes file from it at the same moment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.domain.models import AppealType, NewAppeal, SlotClaim, UpdateRef
from bot.services.desk import filing_change
from bot.storage.postgres.appeals import PostgresAppealRepository, insert_appeal
from bot.storage.postgres.database import PostgresDatabase
from tests.storage.conftest import Store, moment

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BOT = 123456789
PRESS = UpdateRef(BOT, 501)  # the citizen's «Отправить»
CITIZEN = 1001


def consultation(filed_by: UpdateRef | None = PRESS) -> NewAppeal:
    return NewAppeal(
        CITIZEN, CITIZEN, AppealType.CONSULTATION, {"topic": "Пособия"}, filed_by=filed_by
    )


async def test_the_same_update_files_once_and_gets_the_appeal_it_filed(store: Store) -> None:
    first = await store.appeals.create(consultation(), NOW, follow_up=filing_change)
    again = await store.appeals.create(
        consultation(), NOW + timedelta(seconds=40), follow_up=filing_change
    )
    other = await store.appeals.create(consultation(UpdateRef(BOT, 502)), NOW)
    unnamed = await store.appeals.create(consultation(None), NOW)

    assert (again.id, again.number, again.created_at) == (first.id, "2026-000001", first.created_at)
    # The second filing took no number: the next one goes on from the first.
    assert (other.number, unnamed.number) == ("2026-000002", "2026-000003")
    assert await store.value("SELECT COUNT(*) FROM appeals") == 3
    # Its follow-up (the operators' card) was queued once.
    assert await store.value("SELECT COUNT(*) FROM outbox WHERE appeal_id = $1", first.id) == 1
    assert await store.rows(
        "SELECT bot_id, update_id, appeal_id FROM appeal_filings ORDER BY update_id"
    ) == [(BOT, 501, first.id), (BOT, 502, other.id)]
    filed = await store.appeals.filed_by(PRESS)
    assert filed is not None and filed.number == first.number
    # Update ids are each bot's own: another bot's update 501 filed nothing.
    assert await store.appeals.filed_by(UpdateRef(BOT + 1, 501)) is None


async def test_a_call_booked_by_the_same_update_is_the_booking_it_made(store: Store) -> None:
    start = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    claim = SlotClaim(start, start + timedelta(minutes=30), capacity=1)
    callback = NewAppeal(
        CITIZEN,
        CITIZEN,
        AppealType.CALLBACK,
        {"phone": "+79123456789", "description": "Код не приходит"},
        filed_by=PRESS,
    )

    booked = await store.call_booking.book(callback, claim, NOW)
    # The slot holds one call, this very one: the same press gets it, not «the slot is full».
    again = await store.call_booking.book(callback, claim, NOW + timedelta(seconds=40))

    assert booked is not None and again is not None
    assert again.number == booked.number
    assert again.call is not None and moment(again.call.start) == start
    assert await store.value("SELECT COUNT(*) FROM callbacks") == 1


async def test_old_filings_are_pruned_with_the_update_ids(store: Store) -> None:
    old = UpdateRef(BOT, 400)
    await store.updates.claim(BOT, 400, "run-a", NOW - timedelta(days=2), "{}")
    await store.appeals.create(consultation(old), NOW - timedelta(days=2))
    await store.updates.claim(BOT, 501, "run-a", NOW, "{}")
    recent = await store.appeals.create(consultation(), NOW)

    assert await store.updates.prune(NOW - timedelta(days=1)) == 1

    assert await store.rows("SELECT update_id, appeal_id FROM appeal_filings") == [(501, recent.id)]
    # The appeal stays; only which update filed it is forgotten.
    assert await store.value("SELECT COUNT(*) FROM appeals") == 2


async def test_two_processes_filing_from_one_update_at_once_file_once(
    processes: list[PostgresDatabase],
) -> None:
    """A live process whose lease ran out and the one that took its update over: the first
    to commit files; the other, refused by the filings' key, gets that appeal, and its own
    number is rolled back with the rest of its filing."""
    first, second = processes
    async with first.transaction() as connection:
        winner = await insert_appeal(connection, consultation(), NOW)
        # The other process files meanwhile: it finds no filing yet (not committed) and waits.
        loser = asyncio.create_task(PostgresAppealRepository(second).create(consultation(), NOW))
        await asyncio.sleep(0.5)
        assert not loser.done()

    filed = await loser

    assert (filed.id, filed.number) == (winner.id, "2026-000001")
    assert await first.pool.fetchval("SELECT COUNT(*) FROM appeals") == 1
    assert await first.pool.fetchval("SELECT last_value FROM appeal_sequences") == 1
    next_one = await PostgresAppealRepository(second).create(consultation(None), NOW)
    assert next_one.number == "2026-000002"
