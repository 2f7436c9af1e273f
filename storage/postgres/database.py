"""A PostgreSQL database shared by several bot processes: a pool, migrations, health.

Unlike the SQLite :class:`bot.storage.sqlite.database.Database`, nothing here
serialises the process's statements: every transaction takes a connection of
its own from an asyncpg pool, and PostgreSQL keeps concurrent transactions of
this process and of the other processes apart. Repositories therefore guard
every read-then-write with a row lock (``SELECT ... FOR UPDATE``), an upsert or
an advisory lock, where on SQLite the one writer made that unnecessary.

Migrations are the numbered files of ``bot/storage/migrations/postgres`` (the
same numbers and names as SQLite's, in this dialect). All the pending ones are
applied in one transaction that first takes a transaction-level advisory lock:
of two processes starting at once, the second waits for the first to commit and
then finds nothing left to apply. The lock's key is derived from the schema the
connection works in, so deployments in separate schemas of one database do not
wait for each other.

Every connection speaks UTC (``TimeZone``) and maps ``json``/``jsonb`` to Python
values. Nothing is created before :meth:`PostgresDatabase.connect`.

:attr:`PostgresDatabase.observe`, when set, gets the seconds of every operation, named as
SQLite's are: a ``transaction``, a ``read`` (a :meth:`~PostgresDatabase.reading` block or
a single query), a single ``write`` statement. As on SQLite the wait comes first: here for
a connection of the pool, which is what a handler feels when the pool is exhausted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from importlib import resources
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
DEFAULT_POOL_SIZE = 10
HEALTH_TIMEOUT = 2.0  # seconds a health check may take before the database counts as down
# Seconds a migration (or the wait for another process's) may take: longer than a query.
MIGRATION_TIMEOUT = 3600.0

# The advisory lock of a named job in this schema: one bigint from the name and the schema.
ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || current_schema(), 0))"
MIGRATION_LOCK = "gosuslugi-support-bot:migrations"
# The same lock, taken only if free: true if this transaction holds it now.
ADVISORY_TRY_LOCK = (
    "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || current_schema(), 0))"
)


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_JSONB_VERSION = b"\x01"  # the first byte of jsonb's binary form: its format version


async def _prepare_connection(connection: asyncpg.Connection) -> None:
    # Binary forms, so that COPY (the archive import) can carry them too: json's is its
    # text, jsonb's is its text after a version byte.
    await connection.set_type_codec(
        "json",
        schema="pg_catalog",
        format="binary",
        encoder=lambda value: dump_json(value).encode(),
        decoder=json.loads,
    )
    await connection.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        format="binary",
        encoder=lambda value: _JSONB_VERSION + dump_json(value).encode(),
        decoder=lambda data: json.loads(data[1:]),
    )


Observe = Callable[[str, float], None]
# A single statement reads when it is a query that changes nothing and locks no row.
_QUERY = re.compile(r"\s*(?:SELECT|WITH|VALUES|SHOW)\b", re.IGNORECASE)
_CHANGES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|FOR\s+(?:NO\s+KEY\s+)?UPDATE)\b", re.IGNORECASE)


def statement_operation(sql: str) -> str:
    """``read`` or ``write``: the operation a single statement counts as."""
    return "read" if _QUERY.match(sql) and not _CHANGES.search(sql) else "write"


class TimedPool:
    """asyncpg's pool whose single statements are timed (pool wait included).

    Everything else (``acquire``, ``copy_*``...) is the pool's own, untimed here: the
    transactions that acquire a connection are timed by :class:`PostgresDatabase`.
    """

    def __init__(self, pool: Any, timed: Callable[[str], Any]) -> None:
        self._pool = pool
        self._timed = timed

    async def fetch(self, query: str, *args: Any, **options: Any) -> Any:
        with self._timed(statement_operation(query)):
            return await self._pool.fetch(query, *args, **options)

    async def fetchrow(self, query: str, *args: Any, **options: Any) -> Any:
        with self._timed(statement_operation(query)):
            return await self._pool.fetchrow(query, *args, **options)

    async def fetchval(self, query: str, *args: Any, **options: Any) -> Any:
        with self._timed(statement_operation(query)):
            return await self._pool.fetchval(query, *args, **options)

    async def execute(self, query: str, *args: Any, **options: Any) -> Any:
        with self._timed(statement_operation(query)):
            return await self._pool.execute(query, *args, **options)

    async def executemany(self, command: str, args: Any, **options: Any) -> Any:
        with self._timed(statement_operation(command)):
            return await self._pool.executemany(command, args, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database (or one schema of it)."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        min_pool_size: int = 1,
        server_settings: Mapping[str, str] | None = None,
        command_timeout: float | None = 60.0,
    ) -> None:
        """``server_settings``: run-time parameters of every connection (``search_path`` to
        work in a schema of its own, ``application_name``); ``TimeZone`` is always UTC."""
        if pool_size < 1 or not 0 <= min_pool_size <= pool_size:
            raise ValueError(f"pool size {min_pool_size}..{pool_size} is not a range")
        self.url = url
        self.pool_size = pool_size
        self._min_pool_size = min_pool_size
        self._server_settings = {**(server_settings or {}), "TimeZone": "UTC"}
        self._command_timeout = command_timeout
        self._pool: asyncpg.Pool | None = None
        self._timed_pool: TimedPool | None = None
        self.observe: Observe | None = None  # (operation, seconds) of each, when set

    async def connect(self) -> None:
        """Open the pool and bring the schema up to date."""
        pool = await asyncpg.create_pool(
            self.url,
            min_size=self._min_pool_size,
            max_size=self.pool_size,
            server_settings=self._server_settings,
            command_timeout=self._command_timeout,
            init=_prepare_connection,
        )
        self._pool = pool
        self._timed_pool = TimedPool(pool, self._timed)
        try:
            await self.migrate()
        except BaseException:
            self._pool = self._timed_pool = None
            await pool.close()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool, self._timed_pool = self._pool, None, None
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        """For single statements (each runs in a transaction of its own), timed."""
        if self._timed_pool is None:
            raise RuntimeError("PostgresDatabase is not connected: call connect() first")
        return self._timed_pool

    @contextmanager
    def _timed(self, operation: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.observe is not None:
                self.observe(operation, time.perf_counter() - started)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection inside a transaction: committed on success, rolled back on error."""
        with self._timed("transaction"):
            async with self.pool.acquire() as connection, connection.transaction():
                yield connection

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[asyncpg.Connection]:
        """Several reads that see one state of the database (a read-only snapshot)."""
        with self._timed("read"):
            async with (
                self.pool.acquire() as connection,
                connection.transaction(isolation="repeatable_read", readonly=True),
            ):
                yield connection

    async def healthy(self, timeout: float = HEALTH_TIMEOUT) -> bool:
        """Whether the database answers a query within ``timeout`` seconds."""
        try:
            async with asyncio.timeout(timeout):
                return await self.pool.fetchval("SELECT 1") == 1
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            logger.warning("PostgreSQL health check failed: %s: %s", type(error).__name__, error)
            return False

    async def vacuum(self, tables: Sequence[str]) -> None:
        """Remove the dead versions of rows from ``tables`` (names from code, never input).

        Best effort: a failure is logged, and autovacuum gets there later.
        """
        try:
            await self.pool.execute(f"VACUUM {', '.join(tables)}")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            logger.warning("VACUUM after an erasure failed: %s: %s", type(error).__name__, error)

    async def migrate(self) -> list[int]:
        """Apply every numbered migration not yet recorded; return the versions applied.

        One transaction under an advisory lock: the migrations and their records are
        committed together, once, whichever process gets there first.
        """
        done: list[tuple[int, str]] = []
        async with self.transaction() as connection:
            await connection.execute(ADVISORY_LOCK, MIGRATION_LOCK, timeout=MIGRATION_TIMEOUT)
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY,"
                " name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            applied = {
                row[0] for row in await connection.fetch("SELECT version FROM schema_migrations")
            }
            for version, name, script in available_migrations():
                if version in applied:
                    continue
                await connection.execute(script, timeout=MIGRATION_TIMEOUT)
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    version,
                    name,
                )
                done.append((version, name))
        for version, name in done:
            logger.info("Applied PostgreSQL migration %04d_%s", version, name)
        return [version for version, _ in done]


def available_migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every PostgreSQL migration, in order."""
    folder = resources.files("bot.storage") / "migrations" / "postgres"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)
