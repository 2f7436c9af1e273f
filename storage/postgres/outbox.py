"""The outbox on PostgreSQL: Bot API sends waiting for the sender, delivered in lane order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asyncpg import Record

from bot.domain.models import Audience, MessageRef, OutboxItem, OutboxKind, OutboxStatus
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import utc

# The first pending row of a lane: no pending row of the lane comes before it.
_LANE_HEAD = (
    "o.status = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox AS earlier"
    " WHERE earlier.lane = o.lane AND earlier.status = 'pending' AND earlier.id < o.id)"
)


class PostgresOutboxRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        rows = await self._db.pool.fetch(
            f"SELECT o.* FROM outbox AS o WHERE {_LANE_HEAD} AND o.not_before <= $1"
            " ORDER BY o.id LIMIT $2",
            utc(now), limit,
        )
        return [_item(row) for row in rows]

    async def next_due(self) -> datetime | None:
        return await self._db.pool.fetchval(
            f"SELECT MIN(o.not_before) FROM outbox AS o WHERE {_LANE_HEAD}"
        )

    async def mark_delivered(
        self, item_id: int, now: datetime, message_id: int | None,
        copy: MessageRef | None = None, more_message_ids: Sequence[int] = (),
    ) -> bool:
        async with self._db.transaction() as connection:
            appeal_id = await connection.fetchval(
                "UPDATE outbox SET status = $1, delivered_at = $2, message_id = $3,"
                " more_message_ids = $4, last_error = NULL"
                " WHERE id = $5 AND status = $6 RETURNING appeal_id",
                OutboxStatus.DELIVERED, utc(now), message_id,
                list(more_message_ids) if more_message_ids else None,
                item_id, OutboxStatus.PENDING,
            )
            if appeal_id is not None and copy is not None:
                await connection.execute(
                    "UPDATE appeal_events SET copy_chat_id = $1, copy_message_id = $2"
                    " WHERE outbox_id = $3",
                    copy.chat_id, copy.message_id, item_id,
                )
                await connection.execute(
                    "INSERT INTO delivered_copies (chat_id, message_id, appeal_id, outbox_id)"
                    " SELECT $1, copied, $2, $3 FROM unnest($4::bigint[]) AS copied"
                    " ON CONFLICT DO NOTHING",
                    copy.chat_id, appeal_id, item_id, [copy.message_id, *more_message_ids],
                )
        return appeal_id is not None

    async def postpone(self, item_id: int, not_before: datetime, error: str) -> None:
        await self._db.pool.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = $1, last_error = $2"
            " WHERE id = $3 AND status = $4",
            utc(not_before), error, item_id, OutboxStatus.PENDING,
        )

    async def mark_failed(self, item_id: int, now: datetime, error: str) -> None:
        await self._db.pool.execute(
            "UPDATE outbox SET status = $1, attempts = attempts + 1, delivered_at = $2,"
            " last_error = $3 WHERE id = $4 AND status = $5",
            OutboxStatus.FAILED, utc(now), error, item_id, OutboxStatus.PENDING,
        )

    async def pending(self) -> list[OutboxItem]:
        rows = await self._db.pool.fetch(
            "SELECT * FROM outbox WHERE status = $1 ORDER BY id", OutboxStatus.PENDING
        )
        return [_item(row) for row in rows]


def _item(row: Record) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        appeal_id=row["appeal_id"],
        audience=Audience(row["audience"]),
        chat_id=row["chat_id"],
        kind=OutboxKind(row["kind"]),
        payload=row["payload"],
        attempts=row["attempts"],
        not_before=row["not_before"],
        created_at=row["created_at"],
    )
