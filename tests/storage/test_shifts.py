"""Operators on shift on both backends: the round's order and going off shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.models import Actor, MessageAuthor
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.shifts import PostgresShiftRepository
from bot.storage.sqlite.shifts import SQLiteShiftRepository
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
IRINA = Actor(MessageAuthor.OPERATOR, 2001, "Ирина (@irina)")
OLEG = Actor(MessageAuthor.OPERATOR, 2002, "Олег")


def repository(store: Store) -> SQLiteShiftRepository | PostgresShiftRepository:
    if isinstance(store.database, PostgresDatabase):
        return PostgresShiftRepository(store.database)
    return SQLiteShiftRepository(store.database)


async def test_longest_without_an_appeal_comes_first(store: Store) -> None:
    shifts = repository(store)
    assert await shifts.on_shift() == []
    await shifts.set_on_shift(IRINA, True, NOW)
    await shifts.set_on_shift(OLEG, True, NOW + timedelta(minutes=1))
    assert [item.operator_id for item in await shifts.on_shift()] == [2001, 2002]
    await shifts.assigned(2001, NOW + timedelta(minutes=2))
    order = await shifts.on_shift()
    assert [item.operator_id for item in order] == [2002, 2001]
    assert order[1].last_assigned_at == NOW + timedelta(minutes=2)
    assert order[1].name == "Ирина (@irina)"
    await shifts.set_on_shift(OLEG, False, NOW + timedelta(minutes=3))
    assert [item.operator_id for item in await shifts.on_shift()] == [2001]
    assert [item.name for item in await shifts.known()] == ["Ирина (@irina)", "Олег"]
