"""The storage backends every repository test runs on: SQLite and PostgreSQL.

``store`` is parametrised over both; a test that takes it runs twice. When the
PostgreSQL server does not answer, its tests are left out and one line at the end
of the run says so and how to start it; with REQUIRE_SERVICES=1 (CI) they run
and fail instead.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiogram.fsm.storage.base import BaseStorage

from bot.storage.postgres import archive as postgres_archive
from bot.storage.postgres.appeals import PostgresAppealRepository
from bot.storage.postgres.call_booking import PostgresCallBookingRepository
from bot.storage.postgres.citizens import PostgresCitizenRepository
from bot.storage.postgres.codes import PostgresCodeRepository
from bot.storage.postgres.consents import PostgresConsentRepository
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.desk import PostgresDeskRepository
from bot.storage.postgres.fsm import PostgresStorage
from bot.storage.postgres.outbox import PostgresOutboxRepository
from bot.storage.postgres.privacy import PostgresPrivacyRepository
from bot.storage.postgres.templates import PostgresTemplateRepository
from bot.storage.postgres.updates import PostgresProcessedUpdates
from bot.storage.repositories import (
    AppealRepository,
    CallBookingRepository,
    CitizenRepository,
    CodeRepository,
    ConsentRepository,
    DeskRepository,
    OutboxRepository,
    TemplateRepository,
)
from bot.storage.sqlite import archive as sqlite_archive
from bot.storage.sqlite.appeals import SQLiteAppealRepository
from bot.storage.sqlite.call_booking import SQLiteCallBookingRepository
from bot.storage.sqlite.citizens import SQLiteCitizenRepository
from bot.storage.sqlite.codes import SQLiteCodeRepository
from bot.storage.sqlite.consents import SQLiteConsentRepository
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.desk import SQLiteDeskRepository
from bot.storage.sqlite.fsm import SQLiteStorage
from bot.storage.sqlite.outbox import SQLiteOutboxRepository
from bot.storage.sqlite.privacy import SQLitePrivacyRepository
from bot.storage.sqlite.templates import SQLiteTemplateRepository
from bot.storage.sqlite.timefmt import from_db
from bot.storage.sqlite.updates import SQLiteProcessedUpdates
from testkit.postgres import (
    database_in_schema,
    fresh_schema,
    postgres_url,
    services_required,
    unreachable_reason,
)

_NUMBERED_PARAMETER = re.compile(r"\$(\d+)")
_LEFT_OUT = pytest.StashKey[tuple[int, str]]()


def _probe_postgres(url: str) -> str | None:
    # In a thread of its own: asyncio.run would replace the event loop of the tests' thread.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, unreachable_reason(url)).result()


def _needs_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    backends = callspec.params.values() if callspec is not None else ()
    return "postgres" in backends or "postgres_server" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanting = [item for item in items if _needs_postgres(item)]
    if not wanting or services_required():
        return
    reason = _probe_postgres(postgres_url())
    if reason is None:
        return
    config.hook.pytest_deselected(items=wanting)
    items[:] = [item for item in items if not _needs_postgres(item)]
    config.stash[_LEFT_OUT] = (len(wanting), reason)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    left_out = config.stash.get(_LEFT_OUT, None)
    if left_out is not None:
        count, reason = left_out
        terminalreporter.write_line(f"{count} PostgreSQL tests not run: {reason}", yellow=True)


@dataclass
class Store:
    """One backend's repositories over one fresh database."""

    backend: str
    database: Database | PostgresDatabase
    appeals: AppealRepository
    call_booking: CallBookingRepository
    citizens: CitizenRepository
    codes: CodeRepository
    consents: ConsentRepository
    desk: DeskRepository
    outbox: OutboxRepository
    templates: TemplateRepository
    privacy: SQLitePrivacyRepository | PostgresPrivacyRepository
    updates: SQLiteProcessedUpdates | PostgresProcessedUpdates
    fsm: BaseStorage
    archive: ModuleType  # import_archive, count_appeals, lookup_plans

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """A query for a test's own checks, with ``$1``-style parameters on both backends."""
        if isinstance(self.database, PostgresDatabase):
            return [tuple(row) for row in await self.database.pool.fetch(sql, *params)]
        sqlite_sql = _NUMBERED_PARAMETER.sub(r"?\1", sql)
        return [tuple(row) for row in await self.database.fetchall(sqlite_sql, params)]

    async def value(self, sql: str, *params: Any) -> Any:
        rows = await self.rows(sql, *params)
        return rows[0][0] if rows else None

    async def everything(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, by table (for looking for what must be gone)."""
        if self.backend == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            query = (
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        # Table names come from the catalogue, not from input.
        return {
            name: await self.rows(f"SELECT * FROM {name}") for (name,) in await self.rows(query)
        }


def moment(value: str | datetime) -> datetime:
    """A time as read by :meth:`Store.rows`: UTC text on SQLite, a datetime on PostgreSQL."""
    return from_db(value) if isinstance(value, str) else value


def sqlite_store(database: Database) -> Store:
    return Store(
        "sqlite",
        database,
        appeals=SQLiteAppealRepository(database),
        call_booking=SQLiteCallBookingRepository(database),
        citizens=SQLiteCitizenRepository(database),
        codes=SQLiteCodeRepository(database),
        consents=SQLiteConsentRepository(database),
        desk=SQLiteDeskRepository(database),
        outbox=SQLiteOutboxRepository(database),
        templates=SQLiteTemplateRepository(database),
        privacy=SQLitePrivacyRepository(database),
        updates=SQLiteProcessedUpdates(database),
        fsm=SQLiteStorage(database),
        archive=sqlite_archive,
    )


def postgres_store(database: PostgresDatabase) -> Store:
    return Store(
        "postgres",
        database,
        appeals=PostgresAppealRepository(database),
        call_booking=PostgresCallBookingRepository(database),
        citizens=PostgresCitizenRepository(database),
        codes=PostgresCodeRepository(database),
        consents=PostgresConsentRepository(database),
        desk=PostgresDeskRepository(database),
        outbox=PostgresOutboxRepository(database),
        templates=PostgresTemplateRepository(database),
        privacy=PostgresPrivacyRepository(database),
        updates=PostgresProcessedUpdates(database),
        fsm=PostgresStorage(database),
        archive=postgres_archive,
    )


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The test server's URL, once it has answered; skips (or, in CI, fails) otherwise."""
    url = postgres_url()
    reason = _probe_postgres(url)
    if reason is not None:
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1: {reason}", pytrace=False)
        pytest.skip(reason)
    return url


@pytest.fixture
async def postgres_schema(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty schema on the test server, dropped after the test."""
    async with fresh_schema(postgres_server) as schema:
        yield schema


@pytest.fixture
async def postgres_database(
    postgres_server: str, postgres_schema: str
) -> AsyncIterator[PostgresDatabase]:
    database = database_in_schema(postgres_server, postgres_schema)
    await database.connect()
    yield database
    await database.close()


@pytest.fixture
async def processes(
    postgres_server: str, postgres_schema: str
) -> AsyncIterator[list[PostgresDatabase]]:
    """Two bot processes' worth of connections (a pool each) on one fresh schema."""
    pools = [database_in_schema(postgres_server, postgres_schema, pool_size=5) for _ in range(2)]
    await asyncio.gather(*(pool.connect() for pool in pools))
    yield pools
    await asyncio.gather(*(pool.close() for pool in pools))


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "store.sqlite3")
    await database.connect()
    yield database
    await database.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Store:
    """Every repository on SQLite, then on PostgreSQL (a test taking this runs on both)."""
    if request.param == "sqlite":
        return sqlite_store(request.getfixturevalue("sqlite_database"))
    return postgres_store(request.getfixturevalue("postgres_database"))
