"""Callback requests on PostgreSQL: booking a call together with its appeal, the schedule.

Changes to a booked call (moving, cancelling, marking) are appeal changes
(:class:`bot.domain.models.CallChange`), applied by the desk repository.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from asyncpg import Connection, UniqueViolationError

from bot.domain.models import Appeal, AppealChange, AppealStatus, CallStatus, NewAppeal, SlotClaim
from bot.storage.postgres.appeals import filed_appeal, filed_meanwhile, insert_appeal
from bot.storage.postgres.changes import slot_has_room
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.rows import APPEAL_COLUMNS, appeal_from_row
from bot.storage.postgres.values import utc


class PostgresCallBookingRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def book(
        self,
        appeal: NewAppeal,
        claim: SlotClaim,
        now: datetime,
        follow_up: Callable[[Appeal], AppealChange] | None = None,
    ) -> Appeal | None:
        stamp = utc(now)

        async def store_call(connection: Connection, appeal_id: int) -> None:
            await connection.execute(
                "INSERT INTO callbacks (appeal_id, slot_start, slot_end, status, created_at,"
                " updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
                appeal_id,
                utc(claim.start),
                utc(claim.end),
                CallStatus.SCHEDULED,
                stamp,
            )

        try:
            async with self._db.transaction() as connection:
                filed = await filed_appeal(connection, appeal.filed_by)
                if filed is not None:  # the same update handled again: its call is in already
                    return filed
                # Holds the slots' lock to the commit: the count stays true until the call is in.
                if not await slot_has_room(connection, claim):
                    return None
                return await insert_appeal(
                    connection, appeal, now, follow_up, before_follow_up=store_call
                )
        except UniqueViolationError as error:
            return await filed_meanwhile(self._db, appeal.filed_by, error)

    async def booked(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        rows = await self._db.pool.fetch(
            "SELECT slot_start, slot_end FROM callbacks"
            " JOIN appeals ON appeals.id = callbacks.appeal_id"
            " WHERE callbacks.status = $1 AND appeals.status != $2 AND slot_start < $3"
            " AND slot_end > $4 ORDER BY slot_start",
            CallStatus.SCHEDULED,
            AppealStatus.CLOSED,
            utc(end),
            utc(start),
        )
        return [(row[0], row[1]) for row in rows]

    async def calls_between(self, start: datetime, end: datetime) -> list[Appeal]:
        rows = await self._db.pool.fetch(
            f"SELECT {APPEAL_COLUMNS} FROM callbacks"
            " JOIN appeals ON appeals.id = callbacks.appeal_id"
            " WHERE callbacks.status != $1 AND callbacks.slot_start >= $2"
            " AND callbacks.slot_start < $3 ORDER BY callbacks.slot_start, appeals.id",
            CallStatus.CANCELLED,
            utc(start),
            utc(end),
        )
        return [appeal_from_row(row) for row in rows]
