"""The database the bot runs on, chosen by ``DATABASE_URL``: its repositories, locks and health.

``sqlite:///data/bot.sqlite3`` (the default; ``DATABASE_PATH`` keeps working) is the
embedded backend: one bot process writes the file. ``postgresql://user:pass@host/db``
is the cluster backend: an asyncpg pool that several processes share. Query
parameters of a PostgreSQL URL other than libpq's own are run-time parameters of
every connection (``?search_path=bot`` works in a schema of its own).

Everything above the storage layer sees a :class:`Backend`: the same repositories
(the protocols of :mod:`bot.storage.repositories`), a lock for jobs that must run
once across the cluster, a health check, and the fault the backend may stop for.
This is the one place that knows which class implements which backend.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage

from bot.storage.faults import StorageFault
from bot.storage.isolation import KeyedEventIsolation
from bot.storage.postgres.appeals import PostgresAppealRepository
from bot.storage.postgres.call_booking import PostgresCallBookingRepository
from bot.storage.postgres.citizens import PostgresCitizenRepository
from bot.storage.postgres.codes import PostgresCodeRepository
from bot.storage.postgres.consents import PostgresConsentRepository
from bot.storage.postgres.dashboard import PostgresDashboardRepository
from bot.storage.postgres.database import ADVISORY_TRY_LOCK, PostgresDatabase
from bot.storage.postgres.deadlines import PostgresDeadlineRepository
from bot.storage.postgres.desk import PostgresDeskRepository
from bot.storage.postgres.fsm import PostgresStorage
from bot.storage.postgres.operations import PostgresOperationsRepository
from bot.storage.postgres.outbox import PostgresOutboxRepository
from bot.storage.postgres.privacy import PostgresPrivacyRepository
from bot.storage.postgres.shifts import PostgresShiftRepository
from bot.storage.postgres.templates import PostgresTemplateRepository
from bot.storage.postgres.updates import DEFAULT_LEASE, PostgresProcessedUpdates
from bot.storage.sqlite.appeals import SQLiteAppealRepository
from bot.storage.sqlite.call_booking import SQLiteCallBookingRepository
from bot.storage.sqlite.citizens import SQLiteCitizenRepository
from bot.storage.sqlite.codes import SQLiteCodeRepository
from bot.storage.sqlite.consents import SQLiteConsentRepository
from bot.storage.sqlite.dashboard import SQLiteDashboardRepository
from bot.storage.sqlite.database import Database, Durability
from bot.storage.sqlite.deadlines import SQLiteDeadlineRepository
from bot.storage.sqlite.desk import SQLiteDeskRepository
from bot.storage.sqlite.fsm import SQLiteStorage
from bot.storage.sqlite.operations import SQLiteOperationsRepository
from bot.storage.sqlite.outbox import SQLiteOutboxRepository
from bot.storage.sqlite.privacy import SQLitePrivacyRepository
from bot.storage.sqlite.shifts import SQLiteShiftRepository
from bot.storage.sqlite.templates import SQLiteTemplateRepository
from bot.storage.sqlite.updates import SQLiteProcessedUpdates
from bot.storage.urls import is_postgres_url, sqlite_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fsm:
    """Where dialogue state lives, how one chat's updates are kept apart, and what in
    memory must forget a citizen whose data is erased (None: nothing kept beside it)."""

    storage: BaseStorage
    isolation: BaseEventIsolation
    memory: Any = None  # bot.services.privacy.SessionMemory


class Backend:
    """One database and the repositories on it (see the module)."""

    name: str
    shared: bool  # several processes may write (the cluster backend)

    def __init__(
        self, database: Database | PostgresDatabase, inbox_lease: timedelta = DEFAULT_LEASE
    ) -> None:
        """``inbox_lease``: PostgreSQL's lease on an update in flight (see its updates)."""
        self.database = database
        if isinstance(database, PostgresDatabase):
            self.name, self.shared = "postgres", True
            self.appeals: Any = PostgresAppealRepository(database)
            self.call_booking: Any = PostgresCallBookingRepository(database)
            self.citizens: Any = PostgresCitizenRepository(database)
            self.codes: Any = PostgresCodeRepository(database)
            self.consents: Any = PostgresConsentRepository(database)
            self.dashboard: Any = PostgresDashboardRepository(database)
            self.desk: Any = PostgresDeskRepository(database)
            self.outbox: Any = PostgresOutboxRepository(database)
            self.templates: Any = PostgresTemplateRepository(database)
            self.privacy: Any = PostgresPrivacyRepository(database)
            self.deadlines: Any = PostgresDeadlineRepository(database)
            self.shifts: Any = PostgresShiftRepository(database)
            self.operations: Any = PostgresOperationsRepository(database)
            self.updates: Any = PostgresProcessedUpdates(database, inbox_lease)
        else:
            self.name, self.shared = "sqlite", False
            self.appeals = SQLiteAppealRepository(database)
            self.call_booking = SQLiteCallBookingRepository(database)
            self.citizens = SQLiteCitizenRepository(database)
            self.codes = SQLiteCodeRepository(database)
            self.consents = SQLiteConsentRepository(database)
            self.dashboard = SQLiteDashboardRepository(database)
            self.desk = SQLiteDeskRepository(database)
            self.outbox = SQLiteOutboxRepository(database)
            self.templates = SQLiteTemplateRepository(database)
            self.privacy = SQLitePrivacyRepository(database)
            self.deadlines = SQLiteDeadlineRepository(database)
            self.shifts = SQLiteShiftRepository(database)
            self.operations = SQLiteOperationsRepository(database)
            self.updates = SQLiteProcessedUpdates(database)
        self._never: asyncio.Future[StorageFault] | None = None

    def fsm(self, cache_size: int) -> Fsm:
        """Dialogue state in this database (when no Redis is configured).

        SQLite's storage keeps recent rows in memory, which is right only while this
        process is the database's one writer; PostgreSQL's reads every row from the
        database, since other processes write them too.
        """
        if isinstance(self.database, PostgresDatabase):
            return Fsm(PostgresStorage(self.database), KeyedEventIsolation())
        storage = SQLiteStorage(self.database, cache_size=cache_size)
        return Fsm(storage, storage.event_isolation(), memory=storage)

    def once_per_cluster(self, job: str) -> AbstractAsyncContextManager[bool]:
        """Hold the lock of ``job`` while the block runs; the block gets whether it holds it.

        PostgreSQL: a transaction-level advisory lock, taken without waiting (another
        process running the job makes this one skip its turn) and released when the
        block ends or the process dies. SQLite: always held (one process).
        """
        if isinstance(self.database, PostgresDatabase):
            return _advisory_lock(self.database, job)
        return _held()

    async def check_health(self) -> None:
        """Raises when the database does not answer (``/healthz``)."""
        if isinstance(self.database, PostgresDatabase):
            if not await self.database.healthy():
                raise ConnectionError("PostgreSQL does not answer")
            return
        await self.database.fetchone("SELECT version FROM schema_migrations LIMIT 1")

    async def wait_for_fault(self) -> StorageFault:
        """Returns once the database must not be used any more (a lost or corrupt SQLite
        file); a PostgreSQL server that goes away comes back, and nothing returns."""
        if isinstance(self.database, Database):
            return await self.database.wait_for_fault()
        if self._never is None:
            self._never = asyncio.get_running_loop().create_future()
        return await self._never

    async def close(self) -> None:
        await self.database.close()


@asynccontextmanager
async def _advisory_lock(database: PostgresDatabase, job: str) -> AsyncIterator[bool]:
    async with database.transaction() as connection:
        yield bool(await connection.fetchval(ADVISORY_TRY_LOCK, job))


@asynccontextmanager
async def _held() -> AsyncIterator[bool]:
    yield True


async def open_backend(
    url: str,
    *,
    pool_size: int,
    verify: bool = False,
    inbox_lease: timedelta = DEFAULT_LEASE,
    durability: Durability = "full",
) -> Backend:
    """Connect to (and migrate) the database of ``url``; ``verify``: check a SQLite file first.

    ``durability``: SQLite's (PostgreSQL commits are durable by its own settings)."""
    database: Database | PostgresDatabase
    if is_postgres_url(url):
        database = PostgresDatabase(
            url, pool_size=pool_size, server_settings={"application_name": "support-bot"}
        )
        await database.connect()
    else:
        database = Database(sqlite_path(url), durability=durability)
        await database.connect(verify=verify)
    return Backend(database, inbox_lease)
