"""Appeals imported in bulk from an earlier system, and how PostgreSQL finds appeals.

The PostgreSQL twin of :mod:`bot.storage.sqlite.archive`: the benchmark fills a
database through :func:`import_archive`, and :func:`lookup_plans` shows that
every lookup a citizen triggers is an index search.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.domain.models import ArchivedAppeal
from bot.storage.postgres.appeals import (
    BY_NUMBER,
    COUNT_FOR_CITIZEN,
    HISTORY,
    PAGE_FOR_CITIZEN,
)
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import utc

# The statements of PostgresAppealRepository's lookups, with sample parameters.
CITIZEN_LOOKUPS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "status by number": (BY_NUMBER, ("2026-000001",)),
    "my appeals: count": (COUNT_FOR_CITIZEN, (1,)),
    "my appeals: page": (PAGE_FOR_CITIZEN, (1, 5, 0)),
    "history of an appeal": (HISTORY, (1,)),
}


async def import_archive(database: PostgresDatabase, appeals: Iterable[ArchivedAppeal]) -> int:
    """Store appeals with their own numbers in one transaction; return how many.

    The counter of every imported year moves past the highest imported number
    (never back), so new appeals never take an archived number.
    """
    records = [
        (
            appeal.number,
            appeal.citizen_id,
            appeal.chat_id,
            str(appeal.type),
            str(appeal.status),
            appeal.fields,
            utc(appeal.created_at),
            utc(appeal.closed_at or appeal.created_at),
            utc(appeal.closed_at) if appeal.closed_at else None,
        )
        for appeal in appeals
    ]
    last_of_year: dict[int, int] = {}
    for record in records:
        year, _, sequence = record[0].partition("-")
        last_of_year[int(year)] = max(last_of_year.get(int(year), 0), int(sequence))
    async with database.transaction() as connection:
        await connection.copy_records_to_table(
            "appeals",
            records=records,
            columns=[
                "number",
                "citizen_id",
                "chat_id",
                "type",
                "status",
                "fields",
                "created_at",
                "updated_at",
                "closed_at",
            ],
        )
        await connection.executemany(
            "INSERT INTO appeal_sequences (year, last_value) VALUES ($1, $2)"
            " ON CONFLICT (year) DO UPDATE"
            " SET last_value = GREATEST(appeal_sequences.last_value, excluded.last_value)",
            sorted(last_of_year.items()),
        )
    return len(records)


async def count_appeals(database: PostgresDatabase) -> int:
    return int(await database.pool.fetchval("SELECT COUNT(*) FROM appeals"))


async def lookup_plans(database: PostgresDatabase) -> dict[str, list[str]]:
    """PostgreSQL's plan (EXPLAIN) for each lookup a citizen triggers, one line per node."""
    plans = {}
    async with database.pool.acquire() as connection:
        for name, (sql, params) in CITIZEN_LOOKUPS.items():
            rows = await connection.fetch(f"EXPLAIN {sql}", *params)
            plans[name] = [row[0] for row in rows]
    return plans
