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
from bot.storage.postgres.changes import apply_change, lock_appeals
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.rows import SELECT_APPEALS, appeal_from_row, event_from_row, load_appeal
from bot.storage.postgres.values import utc


class PostgresDeskRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def apply(self, changes: Sequence[AppealChange], now: datetime) -> list[Appeal | None]:
        stamp = utc(now)
        async with self._db.transaction() as connection:
            await lock_appeals(connection, [change.appeal_id for change in changes])
            return [await apply_change(connection, change, stamp) for change in changes]

    async def get(self, appeal_id: int) -> Appeal | None:
        return await load_appeal(self._db.pool, appeal_id)

    async def thread(self, appeal_id: int) -> AppealThread | None:
        row = await self._db.pool.fetchrow(
            "SELECT appeal_id, chat_id, topic_id, card_message_id FROM appeal_threads"
            " WHERE appeal_id = $1",
            appeal_id,
        )
        return None if row is None else AppealThread(*row)

    async def save_thread(
        self, thread: AppealThread, now: datetime, events: Sequence[NewEvent] = ()
    ) -> None:
        stamp = utc(now)
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO appeal_threads (appeal_id, chat_id, topic_id, card_message_id,"
                " updated_at) VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT (appeal_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " topic_id = excluded.topic_id, card_message_id = excluded.card_message_id,"
                " updated_at = excluded.updated_at",
                thread.appeal_id,
                thread.chat_id,
                thread.topic_id,
                thread.card_message_id,
                stamp,
            )
            if events:
                await apply_change(
                    connection, AppealChange(thread.appeal_id, events=tuple(events)), stamp
                )

    async def find_by_topic(self, chat_id: int, topic_id: int) -> Appeal | None:
        async with self._db.reading() as connection:
            appeal_id = await connection.fetchval(
                "SELECT appeal_id FROM appeal_threads WHERE chat_id = $1 AND topic_id = $2 LIMIT 1",
                chat_id,
                topic_id,
            )
            return None if appeal_id is None else await load_appeal(connection, appeal_id)

    async def find_by_message(self, ref: MessageRef) -> tuple[Appeal, AppealEvent | None] | None:
        # The first event naming a message is the one that relayed it; later ones are edits.
        async with self._db.reading() as connection:
            row = await connection.fetchrow(
                "SELECT * FROM appeal_events WHERE (copy_chat_id = $1 AND copy_message_id = $2)"
                " OR (origin_chat_id = $1 AND origin_message_id = $2) ORDER BY id LIMIT 1",
                ref.chat_id,
                ref.message_id,
            )
            if row is not None:
                appeal = await load_appeal(connection, row["appeal_id"])
                assert appeal is not None
                return appeal, event_from_row(row)
            appeal_id = await connection.fetchval(
                "SELECT appeal_id FROM delivered_copies WHERE chat_id = $1 AND message_id = $2",
                ref.chat_id,
                ref.message_id,
            )
            if appeal_id is None:
                return None
            appeal = await load_appeal(connection, appeal_id)
            assert appeal is not None
            return appeal, None

    async def event(self, event_id: int) -> AppealEvent | None:
        row = await self._db.pool.fetchrow("SELECT * FROM appeal_events WHERE id = $1", event_id)
        return None if row is None else event_from_row(row)

    async def events(self, appeal_id: int) -> list[AppealEvent]:
        rows = await self._db.pool.fetch(
            "SELECT * FROM appeal_events WHERE appeal_id = $1 ORDER BY id", appeal_id
        )
        return [event_from_row(row) for row in rows]

    async def open_appeals(self) -> list[Appeal]:
        return await self._appeals_where("status != $1", AppealStatus.CLOSED)

    async def open_for_citizen(self, citizen_id: int) -> list[Appeal]:
        return await self._appeals_where(
            "citizen_id = $1 AND status != $2", citizen_id, AppealStatus.CLOSED
        )

    async def _appeals_where(self, where: str, *params: object) -> list[Appeal]:
        rows = await self._db.pool.fetch(
            f"{SELECT_APPEALS} WHERE {where} ORDER BY created_at, id", *params
        )
        return [appeal_from_row(row) for row in rows]

    async def flags(self, user_id: int) -> CitizenFlags:
        row = await self._db.pool.fetchrow(
            "SELECT banned_at, bot_blocked_at FROM citizen_flags WHERE user_id = $1", user_id
        )
        if row is None:
            return CitizenFlags(user_id)
        return CitizenFlags(user_id, banned=row[0] is not None, bot_blocked=row[1] is not None)

    async def stats(self) -> DeskStats:
        async with self._db.reading() as connection:
            by_status = {status: 0 for status in AppealStatus}
            for status, count in await connection.fetch(
                "SELECT status, COUNT(*) FROM appeals GROUP BY status"
            ):
                by_status[AppealStatus(status)] = count
            by_type = {
                AppealType(kind): count
                for kind, count in await connection.fetch(
                    "SELECT type, COUNT(*) FROM appeals GROUP BY type"
                    ' ORDER BY COUNT(*) DESC, type COLLATE "C"'
                )
            }
            waits = [
                (answered - created).total_seconds()
                for created, answered in await connection.fetch(
                    "SELECT created_at, first_answered_at FROM appeals"
                    " WHERE first_answered_at IS NOT NULL ORDER BY id"
                )
            ]
            rating = await connection.fetchrow(
                "SELECT COUNT(rating), AVG(rating)::float8 FROM appeals WHERE rating IS NOT NULL"
            )
        return DeskStats(by_status, by_type, waits, rating[0], rating[1])
