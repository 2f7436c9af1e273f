"""``python -m bot migrate-to DATABASE_URL``: everything in a SQLite file copied to PostgreSQL.

Both schemas come from the same numbered migrations, so every table and column of the
SQLite file has its twin. Each table is copied with its rows as they are, converted
to the PostgreSQL column's type (SQLite keeps times as UTC text, JSON as text and
booleans as integers), parents before children (the foreign keys), in one
transaction: the copy is whole or nothing. The target must hold no data yet. The
identity counters then continue after the highest id copied, and the appeal numbers'
per-year counters come with their table, so nothing repeats.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from bot.storage.postgres.database import PostgresDatabase
from bot.storage.sqlite.database import Database

BOOKKEEPING = {"schema_migrations"}  # each database records its own migrations


class TargetNotEmpty(RuntimeError):
    """The PostgreSQL database already holds data: a copy would mix two histories."""


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _converter(data_type: str) -> Any:
    if data_type == "timestamp with time zone":
        return _moment
    if data_type in ("json", "jsonb"):
        return lambda value: None if value is None else json.loads(value)
    if data_type == "boolean":
        return lambda value: None if value is None else bool(value)
    if data_type == "date":
        return lambda value: None if value is None else date.fromisoformat(str(value))
    return lambda value: value


async def _tables_in_order(connection: asyncpg.Connection) -> list[str]:
    """The schema's tables, every table after those its foreign keys point to."""
    tables = [
        row[0]
        for row in await connection.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        )
    ]
    parents: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in await connection.fetch(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE c.contype = 'f' AND n.nspname = current_schema()"
    ):
        child, parent = child.split(".")[-1].strip('"'), parent.split(".")[-1].strip('"')
        if child in parents and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(table for table, needs in parents.items() if not needs - set(ordered))
        if not ready:
            raise RuntimeError(f"foreign keys form a cycle among {sorted(parents)}")
        ordered.extend(ready)
        for table in ready:
            del parents[table]
    return [table for table in ordered if table not in BOOKKEEPING]


async def copy_sqlite_to_postgres(source: Database, target: PostgresDatabase) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target``; the rows copied, by table."""
    sqlite_tables = {
        row[0]
        for row in await source.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    copied: dict[str, int] = {}
    async with target.transaction() as connection:
        tables = await _tables_in_order(connection)
        for table in tables:  # names from the catalogue, never from input
            if await connection.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                raise TargetNotEmpty(f"table {table} of the target database already has rows")
        for table in tables:
            if table not in sqlite_tables:
                continue
            sqlite_columns = {
                row[1] for row in await source.fetchall(f"PRAGMA table_info({table})")
            }
            columns = [
                (row[0], row[1])
                for row in await connection.fetch(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = $1"
                    " ORDER BY ordinal_position",
                    table,
                )
                if row[0] in sqlite_columns
            ]
            names = [name for name, _ in columns]
            converters = [_converter(data_type) for _, data_type in columns]
            rows = await source.fetchall(f"SELECT {', '.join(names)} FROM {table}")
            records = [
                tuple(convert(value) for convert, value in zip(converters, row, strict=True))
                for row in rows
            ]
            if records:
                await connection.copy_records_to_table(table, records=records, columns=names)
            copied[table] = len(records)
        # Identity columns go on after the highest id copied.
        for table, column in await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ):
            if copied.get(table):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence($1, $2),"
                    f" (SELECT max({column}) FROM {table}))",
                    table,
                    column,
                )
    return copied
