"""The outbox on PostgreSQL, and its claims for senders in several processes.

:meth:`PostgresOutboxRepository.claim` hands each due row to one sender: the rows
are picked with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a row another sender is
claiming at this moment is skipped, not waited for) and leased to the claimer
until a deadline. Only the first pending row of a lane is ever claimable, so a
lane's next row waits while an earlier one is pending, whether it is leased by
another sender, waiting for its time, or not claimed yet. A lane's rows are
added under the lock of their appeal's row (:mod:`bot.storage.postgres.changes`),
so their ids are in commit order: no row becomes visible behind a later one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from asyncpg import Record

from bot.domain.models import Audience, MessageRef, OutboxItem, OutboxKind, OutboxStatus
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import changed_rows, utc

# The first pending row of a lane: no pending row of the lane comes before it.
_LANE_HEAD = (
    "o.status = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox AS earlier"
    " WHERE earlier.lane = o.lane AND earlier.status = 'pending' AND earlier.id < o.id)"
)
_LEASE_ENDED = "(o.claimed_until IS NULL OR o.claimed_until <= $1)"
_CLAIM = (
    "WITH taken AS ("
    f" SELECT o.id FROM outbox AS o WHERE {_LANE_HEAD} AND o.not_before <= $1"
    f" AND {_LEASE_ENDED} ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED)"
    " UPDATE outbox SET claimed_by = $3, claimed_until = $4"
    " FROM taken WHERE outbox.id = taken.id RETURNING outbox.*"
)
_RELEASE = "claimed_by = NULL, claimed_until = NULL"


class PostgresOutboxRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        rows = await self._db.pool.fetch(
            f"SELECT o.* FROM outbox AS o WHERE {_LANE_HEAD} AND o.not_before <= $1"
            " ORDER BY o.id LIMIT $2",
            utc(now),
            limit,
        )
        return [_item(row) for row in rows]

    async def claim(
        self, claimer: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxItem]:
        """Lease to ``claimer`` until ``now + lease`` up to ``limit`` due rows, oldest first:
        the first pending row of each lane, unless another claim's lease on it is running.

        Delivering, postponing or failing a row ends its lease; a lease that runs out
        (its claimer died or hangs) lets another claimer take the row again.
        """
        stamp = utc(now)
        rows = await self._db.pool.fetch(_CLAIM, stamp, limit, claimer, stamp + lease)
        return sorted((_item(row) for row in rows), key=lambda item: item.id)

    async def next_due(self) -> datetime | None:
        """When the earliest first row of a lane may be tried (or claimed again)."""
        return await self._db.pool.fetchval(
            "SELECT MIN(GREATEST(o.not_before, COALESCE(o.claimed_until, o.not_before)))"
            f" FROM outbox AS o WHERE {_LANE_HEAD}"
        )

    async def mark_delivered(
        self,
        item_id: int,
        now: datetime,
        message_id: int | None,
        copy: MessageRef | None = None,
        more_message_ids: Sequence[int] = (),
    ) -> bool:
        async with self._db.transaction() as connection:
            appeal_id = await connection.fetchval(
                "UPDATE outbox SET status = $1, delivered_at = $2, message_id = $3,"
                f" more_message_ids = $4, last_error = NULL, {_RELEASE}"
                " WHERE id = $5 AND status = $6 RETURNING appeal_id",
                OutboxStatus.DELIVERED,
                utc(now),
                message_id,
                list(more_message_ids) if more_message_ids else None,
                item_id,
                OutboxStatus.PENDING,
            )
            if appeal_id is not None and copy is not None:
                await connection.execute(
                    "UPDATE appeal_events SET copy_chat_id = $1, copy_message_id = $2"
                    " WHERE outbox_id = $3",
                    copy.chat_id,
                    copy.message_id,
                    item_id,
                )
                await connection.execute(
                    "INSERT INTO delivered_copies (chat_id, message_id, appeal_id, outbox_id)"
                    " SELECT $1, copied, $2, $3 FROM unnest($4::bigint[]) AS copied"
                    " ON CONFLICT DO NOTHING",
                    copy.chat_id,
                    appeal_id,
                    item_id,
                    [copy.message_id, *more_message_ids],
                )
        return appeal_id is not None

    async def postpone(self, item_id: int, not_before: datetime, error: str) -> None:
        await self._db.pool.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = $1, last_error = $2,"
            f" {_RELEASE} WHERE id = $3 AND status = $4",
            utc(not_before),
            error,
            item_id,
            OutboxStatus.PENDING,
        )

    async def mark_failed(self, item_id: int, now: datetime, error: str) -> None:
        await self._db.pool.execute(
            "UPDATE outbox SET status = $1, attempts = attempts + 1, delivered_at = $2,"
            f" last_error = $3, {_RELEASE} WHERE id = $4 AND status = $5",
            OutboxStatus.FAILED,
            utc(now),
            error,
            item_id,
            OutboxStatus.PENDING,
        )

    async def pending(self) -> list[OutboxItem]:
        rows = await self._db.pool.fetch(
            "SELECT * FROM outbox WHERE status = $1 ORDER BY id", OutboxStatus.PENDING
        )
        return [_item(row) for row in rows]

    async def release(self, claimer: str) -> int:
        """End every lease of ``claimer`` (a sender stopping cleanly); return how many."""
        return changed_rows(
            await self._db.pool.execute(
                f"UPDATE outbox SET {_RELEASE} WHERE claimed_by = $1 AND status = $2",
                claimer,
                OutboxStatus.PENDING,
            )
        )


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
