"""One SQLite database shared by the FSM storage and the repositories.

aiosqlite runs a single connection in a worker thread. Several handlers run
concurrently on it, so every statement and every transaction is serialised by
one asyncio lock: a transaction of one handler never interleaves with the
statements of another.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

logger = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class Transaction:
    """Statements run inside one open transaction (see :meth:`Database.transaction`)."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the row id it inserted (or 0)."""
        cursor = await self._connection.execute(sql, params)
        try:
            return cursor.lastrowid or 0
        finally:
            await cursor.close()

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        cursor = await self._connection.execute(sql, params)
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        cursor = await self._connection.execute(sql, params)
        try:
            return await cursor.fetchone()
        finally:
            await cursor.close()

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        rows = await self._connection.execute_fetchall(sql, params)
        return list(rows)


class Database:
    """Connection, pragmas, migrations and serialised access to one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def connect(self) -> None:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(self.path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA synchronous=NORMAL")
        await connection.execute("PRAGMA foreign_keys=ON")
        await connection.execute("PRAGMA busy_timeout=5000")
        self._connection = connection
        await self.migrate()

    async def close(self) -> None:
        if self._connection is not None:
            async with self._lock:
                await self._connection.close()
                self._connection = None

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise RuntimeError("Database is not connected: call connect() first")
        return self._connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """An IMMEDIATE transaction: committed on success, rolled back on error."""
        async with self._lock:
            connection = self.connection
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(connection)
            except BaseException:
                await connection.execute("ROLLBACK")
                raise
            else:
                await connection.execute("COMMIT")

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._lock:
            return await Transaction(self.connection).fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return await Transaction(self.connection).fetchall(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own (autocommit) transaction."""
        async with self._lock:
            return await Transaction(self.connection).execute(sql, params)

    async def migrate(self) -> list[int]:
        """Apply every numbered migration not yet recorded; return the versions applied."""
        connection = self.connection
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        applied = {row[0] for row in await connection.execute_fetchall(
            "SELECT version FROM schema_migrations"
        )}
        done: list[int] = []
        for version, name, script in _available_migrations():
            if version in applied:
                continue
            # executescript() commits first, so the BEGIN/COMMIT pair inside the
            # script makes the migration and its record one atomic step.
            await connection.executescript(
                "BEGIN IMMEDIATE;\n"
                f"{script}\n;"
                f"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}');\n"
                "COMMIT;"
            )
            logger.info("Applied migration %04d_%s", version, name)
            done.append(version)
        return done

    async def backup(self, target: Path | str) -> None:
        """A consistent online copy through SQLite's backup API."""
        target_path = Path(target)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock:
            async with aiosqlite.connect(target_path) as destination:
                await self.connection.backup(destination)


def _available_migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)
