"""Operators on shift on SQLite."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Actor, OperatorShift
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import from_db_optional, to_db


class SQLiteShiftRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def set_on_shift(
        self, operator: Actor, on_shift: bool, now: datetime, desk_chat_id: int | None = None
    ) -> None:
        assert operator.id is not None
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO operator_shifts"
                " (operator_id, name, on_shift, changed_at, desk_chat_id)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (operator_id) DO UPDATE SET"
                " name = excluded.name, on_shift = excluded.on_shift,"
                " changed_at = excluded.changed_at, desk_chat_id = excluded.desk_chat_id",
                (
                    operator.id,
                    operator.name or str(operator.id),
                    int(on_shift),
                    to_db(now),
                    desk_chat_id,
                ),
            )

    async def on_shift(self) -> list[OperatorShift]:
        rows = await self._db.fetchall(
            "SELECT operator_id, name, last_assigned_at, desk_chat_id FROM operator_shifts"
            " WHERE on_shift = 1"
            " ORDER BY last_assigned_at IS NOT NULL, last_assigned_at, changed_at, operator_id"
        )
        return [OperatorShift(row[0], row[1], from_db_optional(row[2]), row[3]) for row in rows]

    async def known(self) -> list[OperatorShift]:
        rows = await self._db.fetchall(
            "SELECT operator_id, name, last_assigned_at FROM operator_shifts ORDER BY operator_id"
        )
        return [OperatorShift(row[0], row[1], from_db_optional(row[2])) for row in rows]

    async def assigned(self, operator_id: int, now: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE operator_shifts SET last_assigned_at = ? WHERE operator_id = ?",
                (to_db(now), operator_id),
            )
