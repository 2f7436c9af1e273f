"""Marks of appeals' deadlines on PostgreSQL.

Of two processes leaving the same mark, the second one's INSERT waits for the first
transaction and then adds nothing (ON CONFLICT DO NOTHING): only the first queues the
card update and the supervisors' message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.deadlines import DeadlineKind, DeadlineMark, DeadlineState
from bot.domain.models import AppealChange
from bot.storage.postgres.changes import apply_change, lock_appeals
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import utc


class PostgresDeadlineRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def marks(self, appeal_ids: Sequence[int]) -> list[DeadlineMark]:
        if not appeal_ids:
            return []
        rows = await self._db.pool.fetch(
            "SELECT appeal_id, deadline, mark, marked_at FROM deadline_marks"
            " WHERE appeal_id = ANY($1::bigint[]) ORDER BY appeal_id, marked_at",
            list(appeal_ids),
        )
        return [
            DeadlineMark(row[0], DeadlineKind(row[1]), DeadlineState(row[2]), row[3])
            for row in rows
        ]

    async def mark(
        self,
        appeal_id: int,
        deadline: DeadlineKind,
        mark: DeadlineState,
        now: datetime,
        change: AppealChange | None = None,
    ) -> bool:
        stamp = utc(now)
        async with self._db.transaction() as connection:
            await lock_appeals(connection, [appeal_id])
            added = await connection.fetchval(
                "INSERT INTO deadline_marks (appeal_id, deadline, mark, marked_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true",
                appeal_id,
                deadline.value,
                mark.value,
                stamp,
            )
            if added and change is not None:
                await apply_change(connection, change, stamp)
            return bool(added)
