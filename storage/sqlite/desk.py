from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.models import (
    Appeal,
    AppealChange,
    AppealEvent,
    AppealStatus,
    AppealThread,
    AppealType,
    CitizenFlags,
    DeskStats,
    MessageRef,
    NewEvent,
)
from bot.storage.sqlite.changes import apply_change
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.rows import SELECT_APPEALS, appeal_from_row, event_from_row, load_appeal
from bot.storage.sqlite.timefmt import from_db, to_db


class SQLiteDeskRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def apply(self, changes: Sequence[AppealChange], now: datetime) -> list[Appeal | None]:
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            return [await apply_change(tx, change, stamp) for change in changes]

    async def get(self, appeal_id: int) -> Appeal | None:
        return await load_appeal(self._db, appeal_id)

    async def thread(self, appeal_id: int) -> AppealThread | None:
        row = await self._db.fetchone(
            "SELECT appeal_id, chat_id, topic_id, card_message_id FROM appeal_threads"
            " WHERE appeal_id = ?",
            (appeal_id,),
        )
        return None if row is None else AppealThread(*row)

    async def save_thread(
        self, thread: AppealThread, now: datetime, events: Sequence[NewEvent] = ()
    ) -> None:
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO appeal_threads (appeal_id, chat_id, topic_id, card_message_id,"
                " updated_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (appeal_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " topic_id = excluded.topic_id, card_message_id = excluded.card_message_id,"
                " updated_at = excluded.updated_at",
                (thread.appeal_id, thread.chat_id, thread.topic_id, thread.card_message_id, stamp),
            )
            if events:
                await apply_change(tx, AppealChange(thread.appeal_id, events=tuple(events)), stamp)

    async def find_by_topic(self, chat_id: int, topic_id: int) -> Appeal | None:
        async with self._db.reading() as tx:
            row = await tx.fetchone(
                "SELECT appeal_id FROM appeal_threads WHERE chat_id = ? AND topic_id = ?",
                (chat_id, topic_id),
            )
            return None if row is None else await load_appeal(tx, row[0])

    async def find_by_message(self, ref: MessageRef) -> tuple[Appeal, AppealEvent | None] | None:
        # The first event naming a message is the one that relayed it; later ones are edits.
        async with self._db.reading() as tx:
            row = await tx.fetchone(
                "SELECT * FROM appeal_events WHERE (copy_chat_id = ? AND copy_message_id = ?)"
                " OR (origin_chat_id = ? AND origin_message_id = ?) ORDER BY id LIMIT 1",
                (ref.chat_id, ref.message_id, ref.chat_id, ref.message_id),
            )
            if row is not None:
                appeal = await load_appeal(tx, row["appeal_id"])
                assert appeal is not None
                return appeal, event_from_row(row)
            copy = await tx.fetchone(
                "SELECT appeal_id FROM delivered_copies WHERE chat_id = ? AND message_id = ?",
                (ref.chat_id, ref.message_id),
            )
            if copy is None:
                return None
            appeal = await load_appeal(tx, copy[0])
            assert appeal is not None
            return appeal, None

    async def event(self, event_id: int) -> AppealEvent | None:
        row = await self._db.fetchone("SELECT * FROM appeal_events WHERE id = ?", (event_id,))
        return None if row is None else event_from_row(row)

    async def events(self, appeal_id: int) -> list[AppealEvent]:
        rows = await self._db.fetchall(
            "SELECT * FROM appeal_events WHERE appeal_id = ? ORDER BY id", (appeal_id,)
        )
        return [event_from_row(row) for row in rows]

    async def open_appeals(self) -> list[Appeal]:
        return await self._appeals_where("status != ?", (AppealStatus.CLOSED,))

    async def open_for_citizen(self, citizen_id: int) -> list[Appeal]:
        return await self._appeals_where(
            "citizen_id = ? AND status != ?", (citizen_id, AppealStatus.CLOSED)
        )

    async def _appeals_where(self, where: str, params: tuple[object, ...]) -> list[Appeal]:
        rows = await self._db.fetchall(
            f"{SELECT_APPEALS} WHERE {where} ORDER BY created_at, id", params
        )
        return [appeal_from_row(row) for row in rows]

    async def flags(self, user_id: int) -> CitizenFlags:
        row = await self._db.fetchone(
            "SELECT banned_at, bot_blocked_at FROM citizen_flags WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return CitizenFlags(user_id)
        return CitizenFlags(user_id, banned=row[0] is not None, bot_blocked=row[1] is not None)

    async def stats(self) -> DeskStats:
        by_status = {status: 0 for status in AppealStatus}
        for status, count in await self._db.fetchall(
            "SELECT status, COUNT(*) FROM appeals GROUP BY status"
        ):
            by_status[AppealStatus(status)] = count
        by_type = {
            AppealType(kind): count
            for kind, count in await self._db.fetchall(
                "SELECT type, COUNT(*) FROM appeals GROUP BY type ORDER BY COUNT(*) DESC, type"
            )
        }
        waits = [
            (from_db(answered) - from_db(created)).total_seconds()
            for created, answered in await self._db.fetchall(
                "SELECT created_at, first_answered_at FROM appeals"
                " WHERE first_answered_at IS NOT NULL"
            )
        ]
        rating = await self._db.fetchone(
            "SELECT COUNT(rating), AVG(rating) FROM appeals WHERE rating IS NOT NULL"
        )
        assert rating is not None
        return DeskStats(by_status, by_type, waits, rating[0], rating[1])
