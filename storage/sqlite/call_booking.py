"""Callback requests: booking a call together with its appeal, and reading the schedule.

Changes to a booked call (moving, cancelling, marking) are appeal changes
(:class:`bot.domain.models.CallChange`), applied by the desk repository.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.models import Appeal, AppealChange, AppealStatus, CallStatus, NewAppeal, SlotClaim
from bot.storage.sqlite.appeals import filed_appeal, insert_appeal
from bot.storage.sqlite.changes import slot_has_room
from bot.storage.sqlite.database import Database, Transaction
from bot.storage.sqlite.rows import APPEAL_COLUMNS, appeal_from_row
from bot.storage.sqlite.timefmt import from_db, to_db


class SQLiteCallBookingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def book(
        self,
        appeal: NewAppeal,
        claim: SlotClaim,
        now: datetime,
        follow_up: Callable[[Appeal], AppealChange] | None = None,
    ) -> Appeal | None:
        stamp = to_db(now)

        async def store_call(tx: Transaction, appeal_id: int) -> None:
            await tx.execute(
                "INSERT INTO callbacks (appeal_id, slot_start, slot_end, status, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    appeal_id,
                    to_db(claim.start),
                    to_db(claim.end),
                    CallStatus.SCHEDULED,
                    stamp,
                    stamp,
                ),
            )

        async with self._db.transaction() as tx:
            filed = await filed_appeal(tx, appeal.filed_by)
            if filed is not None:  # the same update handled again: its call is in already
                return filed
            if not await slot_has_room(tx, claim):
                return None
            return await insert_appeal(tx, appeal, now, follow_up, before_follow_up=store_call)

    async def booked(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        rows = await self._db.fetchall(
            "SELECT slot_start, slot_end FROM callbacks"
            " JOIN appeals ON appeals.id = callbacks.appeal_id"
            " WHERE callbacks.status = ? AND appeals.status != ? AND slot_start < ?"
            " AND slot_end > ? ORDER BY slot_start",
            (CallStatus.SCHEDULED, AppealStatus.CLOSED, to_db(end), to_db(start)),
        )
        return [(from_db(row[0]), from_db(row[1])) for row in rows]

    async def calls_between(self, start: datetime, end: datetime) -> list[Appeal]:
        rows = await self._db.fetchall(
            f"SELECT {APPEAL_COLUMNS} FROM callbacks"
            " JOIN appeals ON appeals.id = callbacks.appeal_id"
            " WHERE callbacks.status != ? AND callbacks.slot_start >= ?"
            " AND callbacks.slot_start < ? ORDER BY callbacks.slot_start, appeals.id",
            (CallStatus.CANCELLED, to_db(start), to_db(end)),
        )
        return [appeal_from_row(row) for row in rows]
