"""Operators on shift on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Actor, OperatorShift
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import utc


class PostgresShiftRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def set_on_shift(
        self, operator: Actor, on_shift: bool, now: datetime, desk_chat_id: int | None = None
    ) -> None:
        assert operator.id is not None
        await self._db.pool.execute(
            "INSERT INTO operator_shifts (operator_id, name, on_shift, changed_at, desk_chat_id)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (operator_id) DO UPDATE SET"
            " name = excluded.name, on_shift = excluded.on_shift,"
            " changed_at = excluded.changed_at, desk_chat_id = excluded.desk_chat_id",
            operator.id,
            operator.name or str(operator.id),
            on_shift,
            utc(now),
            desk_chat_id,
        )

    async def on_shift(self) -> list[OperatorShift]:
        rows = await self._db.pool.fetch(
            "SELECT operator_id, name, last_assigned_at, desk_chat_id FROM operator_shifts"
            " WHERE on_shift ORDER BY last_assigned_at NULLS FIRST, changed_at, operator_id"
        )
        return [OperatorShift(row[0], row[1], row[2], row[3]) for row in rows]

    async def known(self) -> list[OperatorShift]:
        rows = await self._db.pool.fetch(
            "SELECT operator_id, name, last_assigned_at FROM operator_shifts ORDER BY operator_id"
        )
        return [OperatorShift(row[0], row[1], row[2]) for row in rows]

    async def assigned(self, operator_id: int, now: datetime) -> None:
        await self._db.pool.execute(
            "UPDATE operator_shifts SET last_assigned_at = $1 WHERE operator_id = $2",
            utc(now),
            operator_id,
        )
