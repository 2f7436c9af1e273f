"""PostgresDatabase: migrations under an advisory lock, the pool, health; and what only a
server shared by two processes can show: appeal numbers, a slot's last place, guards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from bot.domain.models import (
    Actor,
    AppealChange,
    AppealStatus,
    AppealType,
    EventKind,
    MessageAuthor,
    NewAppeal,
    NewEvent,
    SlotClaim,
)
from bot.storage.postgres import database as postgres_database_module
from bot.storage.postgres.appeals import PostgresAppealRepository
from bot.storage.postgres.call_booking import PostgresCallBookingRepository
from bot.storage.postgres.database import PostgresDatabase, available_migrations
from bot.storage.postgres.desk import PostgresDeskRepository
from bot.storage.sqlite.database import _available_migrations as sqlite_migrations
from testkit.postgres import database_in_schema

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


# --- migrations ------------------------------------------------------------------------


def test_both_dialects_have_the_same_numbered_migrations() -> None:
    assert [(version, name) for version, name, _ in available_migrations()] == [
        (version, name) for version, name, _ in sqlite_migrations()
    ]


async def test_migrations_are_recorded_and_not_applied_twice(
    postgres_database: PostgresDatabase,
) -> None:
    recorded = await postgres_database.pool.fetch(
        "SELECT version, name FROM schema_migrations ORDER BY version"
    )
    assert [tuple(row) for row in recorded] == [
        (version, name) for version, name, _ in available_migrations()
    ]
    assert await postgres_database.migrate() == []


async def test_the_schema_uses_postgres_types(postgres_database: PostgresDatabase) -> None:
    types = {
        (row["table_name"], row["column_name"]): row["data_type"]
        for row in await postgres_database.pool.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
    }
    assert types["citizens", "user_id"] == "bigint"
    assert types["appeals", "created_at"] == "timestamp with time zone"
    assert types["outbox", "payload"] == "jsonb"
    assert types["fsm_sessions", "data"] == "json"  # kept as written: key order included


async def test_four_processes_starting_at_once_migrate_once(
    postgres_server: str,
    postgres_schema: str,
) -> None:
    # Without the advisory lock, the second CREATE TABLE of one name fails.
    starting = [database_in_schema(postgres_server, postgres_schema) for _ in range(4)]
    try:
        await asyncio.gather(*(database.connect() for database in starting))
        assert [await database.migrate() for database in starting] == [[]] * 4
        recorded = await starting[0].pool.fetch(
            "SELECT version FROM schema_migrations ORDER BY version"
        )
    finally:
        await asyncio.gather(*(database.close() for database in starting))
    assert [row[0] for row in recorded] == [version for version, _, _ in available_migrations()]


async def test_a_failing_migration_leaves_nothing_behind(
    postgres_server: str,
    postgres_schema: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = [*available_migrations(), (999, "broken", "CREATE TABLE broken (x int); SELECT 1/0")]
    monkeypatch.setattr(postgres_database_module, "available_migrations", lambda: broken)
    database = database_in_schema(postgres_server, postgres_schema)
    with pytest.raises(asyncpg.DivisionByZeroError):
        await database.connect()
    connection = await asyncpg.connect(
        postgres_server, server_settings={"search_path": postgres_schema}
    )
    try:
        tables = await connection.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    finally:
        await connection.close()
    assert tables == []  # one transaction: not even the first migration stayed


# --- the pool and health ---------------------------------------------------------------


async def test_health_is_a_query_that_answers(postgres_database: PostgresDatabase) -> None:
    assert await postgres_database.healthy()


async def test_an_unreachable_server_is_unhealthy_not_an_error() -> None:
    database = PostgresDatabase("postgresql://127.0.0.1:9/nothing", pool_size=1, min_pool_size=0)
    with pytest.raises(OSError):
        await database.connect()
    with pytest.raises(RuntimeError, match="not connected"):
        await database.healthy()


async def test_the_pool_is_as_big_as_asked(postgres_server: str, postgres_schema: str) -> None:
    database = database_in_schema(postgres_server, postgres_schema, pool_size=3)
    await database.connect()
    try:
        holding = asyncio.Event()
        inside = 0

        async def hold() -> None:
            nonlocal inside
            async with database.transaction():
                inside += 1
                await holding.wait()

        tasks = [asyncio.create_task(hold()) for _ in range(5)]
        await asyncio.sleep(0.3)
        assert inside == 3  # the other two wait for a connection
        holding.set()
        await asyncio.gather(*tasks)
        assert inside == 5
    finally:
        await database.close()


async def test_a_transaction_is_rolled_back_on_error(postgres_database: PostgresDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with postgres_database.transaction() as connection:
            await connection.execute(
                "INSERT INTO consents (user_id, version, given_at) VALUES (1, '1', now())"
            )
            raise RuntimeError("handler failed")
    assert await postgres_database.pool.fetchval("SELECT COUNT(*) FROM consents") == 0


# --- appeal numbers across processes ---------------------------------------------------


async def test_appeals_filed_at_once_by_two_processes_get_distinct_numbers(
    processes: list[PostgresDatabase],
) -> None:
    repositories = [PostgresAppealRepository(database) for database in processes]

    filed = await asyncio.gather(
        *(
            repositories[n % 2].create(
                NewAppeal(n, n, AppealType.TECHNICAL, {"description": f"#{n}"}), NOW
            )
            for n in range(60)
        )
    )

    numbers = sorted(appeal.number for appeal in filed)
    assert numbers == [f"2026-{n:06d}" for n in range(1, 61)]  # distinct, and no gaps


async def test_a_filing_that_rolls_back_gives_its_number_back(
    processes: list[PostgresDatabase],
) -> None:
    appeals = PostgresAppealRepository(processes[0])

    def failing_follow_up(appeal: object) -> AppealChange:
        raise RuntimeError("the follow-up failed")

    with pytest.raises(RuntimeError):
        await appeals.create(NewAppeal(1, 1, AppealType.TECHNICAL, {}), NOW, failing_follow_up)
    filed = await PostgresAppealRepository(processes[1]).create(
        NewAppeal(2, 2, AppealType.TECHNICAL, {}), NOW
    )
    assert filed.number == "2026-000001"


# --- guards and slots across processes -------------------------------------------------


async def test_the_last_place_of_a_slot_goes_to_one_of_two_processes(
    processes: list[PostgresDatabase],
) -> None:
    start = NOW + timedelta(days=1)
    claim = SlotClaim(start, start + timedelta(minutes=30), capacity=3)
    bookings = [PostgresCallBookingRepository(database) for database in processes]

    booked = await asyncio.gather(
        *(
            bookings[n % 2].book(NewAppeal(n, n, AppealType.CALLBACK, {}), claim, NOW)
            for n in range(10)
        )
    )

    assert sum(appeal is not None for appeal in booked) == 3
    assert len(await bookings[0].booked(start, claim.end)) == 3


async def test_an_appeal_taken_by_two_operators_at_once_goes_to_one(
    processes: list[PostgresDatabase],
) -> None:
    appeal = await PostgresAppealRepository(processes[0]).create(
        NewAppeal(1, 1, AppealType.TECHNICAL, {}), NOW
    )
    desks = [PostgresDeskRepository(database) for database in processes]

    def take(operator: int) -> AppealChange:
        actor = Actor(MessageAuthor.OPERATOR, operator, f"Оператор {operator}")
        return AppealChange(
            appeal.id,
            allowed_statuses=frozenset({AppealStatus.NEW}),
            status=AppealStatus.IN_PROGRESS,
            assignee=actor,
            events=(NewEvent(EventKind.TAKEN, actor),),
        )

    results = await asyncio.gather(*(desks[n % 2].apply([take(2000 + n)], NOW) for n in range(6)))

    taken = [result for [result] in results if result is not None]
    assert len(taken) == 1
    assert [event.kind for event in await desks[0].events(appeal.id)] == [EventKind.TAKEN]
