"""What an erasure does on the operator desk, inside the erasure's own transaction.

Sends still pending that carry the erased data (relays, answers, edits, for the
operators or the citizen) are dropped, each with an event. After the citizen's
/forget, the appeal's card is redrawn (it then reads «удалено» and says why) and
every other message of the appeal the bot knows of in the operators' chat is
queued for deletion: the copies of the citizen's messages and attachments, cards
shown again, the operators' answers. Queued in the outbox, the deletions survive
a crash and keep to the chat's budget; the sender performs them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

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
from bot.storage.shared import ERASED_ERROR
from bot.storage.sqlite.changes import apply_change
from bot.storage.sqlite.database import Transaction


async def withdraw_from_desk(
    tx: Transaction, appeal_ids: Sequence[int], stamp: str, reason: ErasureReason
) -> None:
    for appeal_id in appeal_ids:
        await tx.execute("UPDATE appeals SET erasure_reason = ? WHERE id = ?", (reason, appeal_id))
        await _drop_pending_sends(tx, appeal_id, stamp)
        if reason == ErasureReason.REQUEST:
            outbox = await _clean_operators_chat(tx, appeal_id)
            if outbox:
                await apply_change(tx, AppealChange(appeal_id, outbox=tuple(outbox)), stamp)


async def _drop_pending_sends(tx: Transaction, appeal_id: int, stamp: str) -> None:
    dropped = await tx.fetchall(
        "UPDATE outbox SET status = ?, payload = '{}', last_error = ?, delivered_at = ?"
        " WHERE appeal_id = ? AND status = ? AND kind IN (?, ?) RETURNING id",
        (
            OutboxStatus.FAILED,
            ERASED_ERROR,
            stamp,
            appeal_id,
            OutboxStatus.PENDING,
            OutboxKind.MESSAGE,
            OutboxKind.EDIT,
        ),
    )
    for row in sorted(dropped, key=lambda row: row["id"]):
        await tx.execute(
            "INSERT INTO appeal_events (appeal_id, kind, actor, outbox_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (appeal_id, EventKind.RELAY_DROPPED_ERASED, SYSTEM.kind, row["id"], stamp),
        )


async def _clean_operators_chat(tx: Transaction, appeal_id: int) -> list[NewOutboxMessage]:
    """The card's redrawing, then a deletion for every other message of the appeal there."""
    thread = await tx.fetchone(
        "SELECT chat_id, card_message_id FROM appeal_threads WHERE appeal_id = ?", (appeal_id,)
    )
    if thread is None or thread["card_message_id"] is None:
        return []  # never shown: a card still to come is drawn from the erased appeal
    chat_id = thread["chat_id"]
    message_ids: set[int] = set()
    for row in await tx.fetchall(
        "SELECT message_id, more_message_ids FROM outbox WHERE appeal_id = ? AND audience = ?"
        " AND kind = ? AND status = ? AND message_id IS NOT NULL",
        (appeal_id, Audience.OPERATORS, OutboxKind.MESSAGE, OutboxStatus.DELIVERED),
    ):
        message_ids.add(row["message_id"])
        message_ids.update(json.loads(row["more_message_ids"] or "[]"))
    for row in await tx.fetchall(
        "SELECT copy_message_id FROM appeal_events WHERE appeal_id = ? AND copy_chat_id = ?"
        " UNION SELECT origin_message_id FROM appeal_events"
        " WHERE appeal_id = ? AND origin_chat_id = ?",
        (appeal_id, chat_id, appeal_id, chat_id),
    ):
        message_ids.add(row[0])
    # Every copy delivered, duplicates after a crash included (the card's among them).
    for row in await tx.fetchall(
        "SELECT message_id FROM delivered_copies WHERE appeal_id = ? AND chat_id = ?",
        (appeal_id, chat_id),
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
