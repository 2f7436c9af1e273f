"""Appeals imported in bulk from an earlier system, and how SQLite finds appeals.

The benchmark fills its database with a million archived appeals through
:func:`import_archive`, and shows with :func:`lookup_plans` that every lookup
a citizen triggers is an index search, whatever the size of the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from bot.domain.models import ArchivedAppeal
from bot.storage.sqlite.appeals import BY_NUMBER, COUNT_FOR_CITIZEN, HISTORY, PAGE_FOR_CITIZEN
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import to_db

# The statements of SQLiteAppealRepository's lookups, with sample parameters.
CITIZEN_LOOKUPS = {
    "status by number": (BY_NUMBER, ("2026-000001",)),
    "my appeals: count": (COUNT_FOR_CITIZEN, (1,)),
    "my appeals: page": (PAGE_FOR_CITIZEN, (1, 5, 0)),
    "history of an appeal": (HISTORY, (1,)),
}


async def import_archive(database: Database, appeals: Iterable[ArchivedAppeal]) -> int:
    """Store appeals with their own numbers in one transaction; return how many.

    The numbering of every imported year moves past the highest imported
    number, so new appeals never take an archived number.
    """
    rows = [
        (
            appeal.number,
            appeal.citizen_id,
            appeal.chat_id,
            appeal.type,
            appeal.status,
            json.dumps(appeal.fields, ensure_ascii=False),
            to_db(appeal.created_at),
            to_db(appeal.closed_at or appeal.created_at),
            to_db(appeal.closed_at) if appeal.closed_at else None,
        )
        for appeal in appeals
    ]
    last_of_year: dict[int, int] = {}
    for row in rows:
        year, _, sequence = row[0].partition("-")
        last_of_year[int(year)] = max(last_of_year.get(int(year), 0), int(sequence))
    async with database.transaction() as tx:
        await tx.executemany(
            "INSERT INTO appeals (number, citizen_id, chat_id, type, status, fields,"
            " created_at, updated_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        await tx.executemany(
            "INSERT INTO appeal_sequences (year, last_value) VALUES (?, ?)"
            " ON CONFLICT (year) DO UPDATE SET last_value = max(last_value, excluded.last_value)",
            sorted(last_of_year.items()),
        )
    return len(rows)


async def count_appeals(database: Database) -> int:
    row = await database.fetchone("SELECT COUNT(*) FROM appeals")
    return int(row[0]) if row is not None else 0


async def lookup_plans(database: Database) -> dict[str, list[str]]:
    """SQLite's plan (EXPLAIN QUERY PLAN) for each lookup a citizen triggers."""
    plans = {}
    for name, (sql, params) in CITIZEN_LOOKUPS.items():
        rows = await database.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
        plans[name] = [row["detail"] for row in rows]
    return plans
