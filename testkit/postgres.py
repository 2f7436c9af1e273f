"""A PostgreSQL server for tests: where it is, whether it answers, a fresh schema per test.

``TEST_POSTGRES_URL`` names the server (default: the standard local port, database
``test``). Each test works in a schema of its own, created empty and dropped with
everything in it afterwards, so tests never see each other's rows and a test
database needs no cleaning. :class:`PostgresTestDatabase` lets a test read and
change rows with the SQL and parameters it writes for SQLite's ``Database``.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, SupportsIndex, overload

import asyncpg

from bot.storage.postgres.database import PostgresDatabase
from bot.storage.sqlite.timefmt import to_db

DEFAULT_URL = "postgresql://127.0.0.1:5432/test"
START_HINT = "start it with `docker compose up -d postgres` or set TEST_POSTGRES_URL"
CONNECT_TIMEOUT = 3.0


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or DEFAULT_URL


def services_required() -> bool:
    """CI sets REQUIRE_SERVICES=1: a server that does not answer fails the tests."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


async def unreachable_reason(url: str) -> str | None:
    """None if the server answers; otherwise one line saying why not and what to do."""
    try:
        connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        return f"PostgreSQL at {url} unreachable ({type(error).__name__}: {error}); {START_HINT}"
    await connection.close()
    return None


@asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[str]:
    """An empty schema's name; the schema is dropped, with everything in it, afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    try:
        await connection.execute(f'CREATE SCHEMA "{name}"')
        yield name
    finally:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await connection.close()


def database_in_schema(url: str, schema: str, *, pool_size: int = 4) -> PostgresDatabase:
    """A database whose connections work in ``schema`` (not connected yet)."""
    return PostgresDatabase(url, pool_size=pool_size, server_settings={"search_path": schema})


# --- the test API SQLite's Database has, on PostgreSQL ---------------------------------

_TO_DB_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class Row(tuple[Any, ...]):
    """A row as tests read SQLite's: by position, by column name, equal to a plain tuple."""

    _columns: tuple[str, ...]

    def __new__(cls, columns: tuple[str, ...], values: Sequence[Any]) -> Row:
        row = super().__new__(cls, values)
        row._columns = columns
        return row

    def keys(self) -> list[str]:
        return list(self._columns)

    @overload
    def __getitem__(self, key: SupportsIndex | str) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, key: SupportsIndex | str | slice) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._columns.index(key))
        return super().__getitem__(key)


def as_sqlite_stores(value: Any) -> Any:
    """A value read from PostgreSQL in the form SQLite's backend stores it: a time as
    ``to_db`` text, a JSON document as its text (``json.dumps``, as the SQLite
    repositories write it), so that one assertion on a raw row holds on both."""
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def as_parameter(value: Any) -> Any:
    """A parameter written for SQLite, as asyncpg takes it: ``to_db`` text is a time."""
    if isinstance(value, str) and _TO_DB_TEXT.match(value):
        return datetime.fromisoformat(value)
    return value


def numbered_placeholders(sql: str) -> str:
    """SQLite's ``?`` placeholders as PostgreSQL's ``$1, $2...`` (none inside quotes)."""
    parts = re.split(r"('(?:[^']|'')*'|\"[^\"]*\")", sql)
    counter = iter(range(1, sql.count("?") + 1))
    return "".join(
        part if index % 2 else re.sub(r"\?", lambda _: f"${next(counter)}", part)
        for index, part in enumerate(parts)
    )


class PostgresTestDatabase(PostgresDatabase):
    """A PostgreSQL database with the statement API of SQLite's ``Database`` for tests.

    ``fetchone``, ``fetchall`` and ``execute`` take SQL with ``?`` placeholders and a
    sequence of parameters, as tests written against SQLite call them, and return rows
    that read like SQLite's (see :class:`Row`, :func:`as_sqlite_stores`). Everything else
    is the product's :class:`PostgresDatabase`: repositories and the dispatcher take it.
    """

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        records = await self.pool.fetch(
            numbered_placeholders(sql), *(as_parameter(value) for value in params)
        )
        return [
            Row(tuple(record.keys()), [as_sqlite_stores(value) for value in record.values()])
            for record in records
        ]

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return next(iter(await self.fetchall(sql, params)), None)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed (SQLite's returns a row id)."""
        status = await self.pool.execute(
            numbered_placeholders(sql), *(as_parameter(value) for value in params)
        )
        last = str(status).rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0
