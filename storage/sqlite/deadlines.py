"""Marks of appeals' deadlines on SQLite: the primary key lets each be left once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.deadlines import DeadlineKind, DeadlineMark, DeadlineState
from bot.domain.models import AppealChange
from bot.storage.sqlite.changes import apply_change
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import from_db, to_db


class SQLiteDeadlineRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def marks(self, appeal_ids: Sequence[int]) -> list[DeadlineMark]:
        if not appeal_ids:
            return []
        found = []
        async with self._db.reading() as tx:
            for start in range(0, len(appeal_ids), 500):  # SQLite's limit on parameters
                chunk = list(appeal_ids[start : start + 500])
                rows = await tx.fetchall(
                    "SELECT appeal_id, deadline, mark, marked_at FROM deadline_marks"
                    f" WHERE appeal_id IN ({', '.join('?' * len(chunk))})"
                    " ORDER BY appeal_id, marked_at",
                    chunk,
                )
                found += [
                    DeadlineMark(
                        row[0], DeadlineKind(row[1]), DeadlineState(row[2]), from_db(row[3])
                    )
                    for row in rows
                ]
        return found

    async def mark(
        self,
        appeal_id: int,
        deadline: DeadlineKind,
        mark: DeadlineState,
        now: datetime,
        change: AppealChange | None = None,
    ) -> bool:
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            added = await tx.execute_rowcount(
                "INSERT INTO deadline_marks (appeal_id, deadline, mark, marked_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (appeal_id, deadline, mark, stamp),
            )
            if added and change is not None:
                await apply_change(tx, change, stamp)
            return bool(added)
