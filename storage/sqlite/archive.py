"""Appeals imported in bulk from an earlier system, and how SQLite finds appeals.

The benchmark fills its database with a million archived appeals through
:func:`import_archive`, and shows with :func:`lookup_plans` that every lookup
a citizen triggers is an index search, whatever the size of the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from bot.domain.models import ArchivedAppeal
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.rows import ATTACHMENTS_OF_APPEALS, CALLS_OF_APPEALS
from bot.storage.sqlite.timefmt import to_db

_PAGE_MARKS = ", ".join("?" * 5)

# The statements of SQLiteAppealRepository's lookups (storage/sqlite/appeals.py),
# with sample parameters; keep them in step with the repository.
CITIZEN_LOOKUPS = {
    "status by number": ("SELECT * FROM appeals WHERE number = ?", ("2026-000001",)),
    "attachments of a page of appeals": (
        ATTACHMENTS_OF_APPEALS.format(marks=_PAGE_MARKS),
        (1, 2, 3, 4, 5),
    ),
    "calls of a page of appeals": (CALLS_OF_APPEALS.format(marks=_PAGE_MARKS), (1, 2, 3, 4, 5)),
    "my appeals: count": ("SELECT COUNT(*) FROM appeals WHERE citizen_id = ?", (1,)),
    "my appeals: page": (
        (
            "SELECT * FROM appeals WHERE citizen_id = ?"
            " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        ),
        (1, 5, 0),
    ),
    "history of an appeal": (
        "SELECT * FROM appeal_messages WHERE appeal_id = ? ORDER BY created_at, id",
        (1,),
    ),
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
