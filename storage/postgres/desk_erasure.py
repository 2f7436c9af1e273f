"""What an erasure does on the operator desk, inside the erasure's own transaction.

The PostgreSQL twin of :mod:`bot.storage.sqlite.desk_erasure`: sends still pending
that carry the erased data are dropped, each with an event; after the citizen's
/forget the card is redrawn and every other message of the appeal the bot knows
of in the operators' chat is queued for deletion through the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asyncpg import Connection

from bot.domain.models import (
    SYSTEM,
    AppealChange,
    Audience,
    ErasureReason,
    EventKind,
    NewOutboxMessage,
    OutboxKind,
    OutboxStatus,
)
from bot.storage.postgres.changes import apply_change
from bot.storage.shared import ERASED_ERROR


async def withdraw_from_desk(
    connection: Connection, appeal_ids: Sequence[int], stamp: datetime, reason: ErasureReason
) -> None:
    for appeal_id in appeal_ids:
        await connection.execute(
            "UPDATE appeals SET erasure_reason = $1 WHERE id = $2", reason, appeal_id
        )
        await _drop_pending_sends(connection, appeal_id, stamp)
        if reason == ErasureReason.REQUEST:
            outbox = await _clean_operators_chat(connection, appeal_id)
            if outbox:
                await apply_change(connection, AppealChange(appeal_id, outbox=tuple(outbox)), stamp)


async def _drop_pending_sends(connection: Connection, appeal_id: int, stamp: datetime) -> None:
    # A row a sender has claimed is dropped too: its delivery then finds it not pending.
    dropped = await connection.fetch(
        "UPDATE outbox SET status = $1, payload = '{}', last_error = $2, delivered_at = $3"
        " WHERE appeal_id = $4 AND status = $5 AND kind = ANY($6::text[]) RETURNING id",
        OutboxStatus.FAILED,
        ERASED_ERROR,
        stamp,
        appeal_id,
        OutboxStatus.PENDING,
        [OutboxKind.MESSAGE, OutboxKind.EDIT],
    )
    await connection.executemany(
        "INSERT INTO appeal_events (appeal_id, kind, actor, outbox_id, created_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        [
            (appeal_id, EventKind.RELAY_DROPPED_ERASED, SYSTEM.kind, outbox_id, stamp)
            for outbox_id in sorted(row["id"] for row in dropped)
        ],
    )


async def _clean_operators_chat(connection: Connection, appeal_id: int) -> list[NewOutboxMessage]:
    """The card's redrawing, then a deletion for every other message of the appeal there."""
    thread = await connection.fetchrow(
        "SELECT chat_id, card_message_id FROM appeal_threads WHERE appeal_id = $1", appeal_id
    )
    if thread is None or thread["card_message_id"] is None:
        return []  # never shown: a card still to come is drawn from the erased appeal
    chat_id = thread["chat_id"]
    message_ids: set[int] = set()
    for row in await connection.fetch(
        "SELECT message_id, more_message_ids FROM outbox WHERE appeal_id = $1 AND audience = $2"
        " AND kind = $3 AND status = $4 AND message_id IS NOT NULL",
        appeal_id,
        Audience.OPERATORS,
        OutboxKind.MESSAGE,
        OutboxStatus.DELIVERED,
    ):
        message_ids.add(row["message_id"])
        message_ids.update(row["more_message_ids"] or ())
    for row in await connection.fetch(
        "SELECT copy_message_id FROM appeal_events WHERE appeal_id = $1 AND copy_chat_id = $2"
        " UNION SELECT origin_message_id FROM appeal_events"
        " WHERE appeal_id = $1 AND origin_chat_id = $2",
        appeal_id,
        chat_id,
    ):
        message_ids.add(row[0])
    # Every copy delivered, duplicates after a crash included (the card's among them).
    for row in await connection.fetch(
        "SELECT message_id FROM delivered_copies WHERE appeal_id = $1 AND chat_id = $2",
        appeal_id,
        chat_id,
    ):
        message_ids.add(row[0])
    message_ids.discard(thread["card_message_id"])
    return [
        NewOutboxMessage(Audience.OPERATORS, OutboxKind.CARD_UPDATE),
        *(
            NewOutboxMessage(
                Audience.OPERATORS,
                OutboxKind.DELETE,
                {"chat_id": chat_id, "message_id": message_id},
            )
            for message_id in sorted(message_ids)
        ),
    ]
