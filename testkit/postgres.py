"""A PostgreSQL server for tests: where it is, whether it answers, a fresh schema per test.

``TEST_POSTGRES_URL`` names the server (default: the standard local port, database
``test``). Each test works in a schema of its own, created empty and dropped with
everything in it afterwards, so tests never see each other's rows and a test
database needs no cleaning.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from bot.storage.postgres.database import PostgresDatabase

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
