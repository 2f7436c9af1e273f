from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.models import Audience, MessageRef, OutboxItem, OutboxKind, OutboxStatus
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import from_db, to_db

_HEADS = "SELECT MIN(id) AS head FROM outbox WHERE status = ? GROUP BY lane"
_RELEASE = "claimed_by = NULL, claimed_until = NULL"


class SQLiteOutboxRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        rows = await self._db.fetchall(
            f"SELECT o.* FROM outbox AS o JOIN ({_HEADS}) AS h"
            " ON o.id = h.head WHERE o.not_before <= ? ORDER BY o.id LIMIT ?",
            (OutboxStatus.PENDING, to_db(now), limit),
        )
        return [_item(row) for row in rows]

    async def claim(
        self, claimer: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxItem]:
        """Lease to ``claimer`` until ``now + lease`` up to ``limit`` due rows, oldest first:
        the first pending row of each lane, unless another claim's lease on it is running.

        Delivering, postponing or failing a row ends its lease; a lease that runs out
        lets another claimer take the row again. (SQLite has one writer, the bot's
        process; the PostgreSQL twin is what keeps several senders apart.)
        """
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ("
                f" SELECT o.id FROM outbox AS o JOIN ({_HEADS}) AS h ON o.id = h.head"
                " WHERE o.not_before <= ? AND (o.claimed_until IS NULL OR o.claimed_until <= ?)"
                " ORDER BY o.id LIMIT ?) RETURNING *",
                (claimer, to_db(now + lease), OutboxStatus.PENDING, stamp, stamp, limit),
            )
        return sorted((_item(row) for row in rows), key=lambda item: item.id)

    async def release(self, claimer: str) -> int:
        """End every lease of ``claimer`` (a sender stopping cleanly); return how many."""
        return await self._db.execute_rowcount(
            f"UPDATE outbox SET {_RELEASE} WHERE claimed_by = ? AND status = ?",
            (claimer, OutboxStatus.PENDING),
        )

    async def next_due(self) -> datetime | None:
        """When the earliest first row of a lane may be tried (or claimed again)."""
        row = await self._db.fetchone(
            "SELECT MIN(MAX(o.not_before, COALESCE(o.claimed_until, o.not_before)))"
            f" FROM outbox AS o JOIN ({_HEADS}) AS h ON o.id = h.head",
            (OutboxStatus.PENDING,),
        )
        return None if row is None or row[0] is None else from_db(row[0])

    async def mark_delivered(
        self,
        item_id: int,
        now: datetime,
        message_id: int | None,
        copy: MessageRef | None = None,
        more_message_ids: Sequence[int] = (),
    ) -> bool:
        async with self._db.transaction() as tx:
            changed = await tx.fetchone(
                "UPDATE outbox SET status = ?, delivered_at = ?, message_id = ?,"
                f" more_message_ids = ?, last_error = NULL, {_RELEASE}"
                " WHERE id = ? AND status = ? RETURNING id",
                (
                    OutboxStatus.DELIVERED,
                    to_db(now),
                    message_id,
                    json.dumps(list(more_message_ids)) if more_message_ids else None,
                    item_id,
                    OutboxStatus.PENDING,
                ),
            )
            if changed is not None and copy is not None:
                await tx.execute(
                    "UPDATE appeal_events SET copy_chat_id = ?, copy_message_id = ?"
                    " WHERE outbox_id = ?",
                    (copy.chat_id, copy.message_id, item_id),
                )
                await tx.executemany(
                    "INSERT OR IGNORE INTO delivered_copies (chat_id, message_id, appeal_id,"
                    " outbox_id) SELECT ?, ?, appeal_id, id FROM outbox WHERE id = ?",
                    [
                        (copy.chat_id, copied, item_id)
                        for copied in (copy.message_id, *more_message_ids)
                    ],
                )
        return changed is not None

    async def postpone(self, item_id: int, not_before: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?,"
            f" {_RELEASE} WHERE id = ? AND status = ?",
            (to_db(not_before), error, item_id, OutboxStatus.PENDING),
        )

    async def mark_failed(self, item_id: int, now: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, delivered_at = ?,"
            f" last_error = ?, {_RELEASE} WHERE id = ? AND status = ?",
            (OutboxStatus.FAILED, to_db(now), error, item_id, OutboxStatus.PENDING),
        )

    async def pending(self) -> list[OutboxItem]:
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE status = ? ORDER BY id", (OutboxStatus.PENDING,)
        )
        return [_item(row) for row in rows]


def _item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        appeal_id=row["appeal_id"],
        audience=Audience(row["audience"]),
        chat_id=row["chat_id"],
        kind=OutboxKind(row["kind"]),
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
        not_before=from_db(row["not_before"]),
        created_at=from_db(row["created_at"]),
    )
