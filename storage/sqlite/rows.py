"""Rows to models, shared by the SQLite repositories."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence

from bot.domain.models import (
    Actor,
    Appeal,
    AppealEvent,
    AppealStatus,
    AppealType,
    Attachment,
    CallStatus,
    ErasureReason,
    EventKind,
    MessageAuthor,
    MessageRef,
    ScheduledCall,
)
from bot.storage.sqlite.database import Transaction
from bot.storage.sqlite.timefmt import from_db, from_db_optional

_IDS_PER_QUERY = 500  # well under SQLite's limit of bound parameters in one statement
# Of a group of appeals; ``{marks}`` is one "?" per appeal id.
CALLS_OF_APPEALS = "SELECT * FROM callbacks WHERE appeal_id IN ({marks})"
ATTACHMENTS_OF_APPEALS = (
    "SELECT appeal_id, kind, file_id, file_unique_id, file_name FROM appeal_attachments"
    " WHERE appeal_id IN ({marks}) ORDER BY appeal_id, id"
)


async def load_appeal(tx: Transaction, appeal_id: int) -> Appeal | None:
    row = await tx.fetchone("SELECT * FROM appeals WHERE id = ?", (appeal_id,))
    return None if row is None else await appeal_with_details(tx, row)


async def appeal_with_details(tx: Transaction, row: sqlite3.Row) -> Appeal:
    """The appeal of ``row`` with its attachments and, for a callback, its call."""
    return (await appeals_with_details(tx, [row]))[0]


async def appeals_with_details(tx: Transaction, rows: Sequence[sqlite3.Row]) -> list[Appeal]:
    """The appeals of ``rows``, in order, with their attachments and calls.

    Two queries for every ``_IDS_PER_QUERY`` appeals, not two per appeal: a
    page of "my appeals" costs as many trips to the database as one appeal.
    """
    calls: dict[int, ScheduledCall] = {}
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        marks = ", ".join("?" * len(chunk))
        for call in await tx.fetchall(CALLS_OF_APPEALS.format(marks=marks), chunk):
            calls[call["appeal_id"]] = call_from_row(call)
        for item in await tx.fetchall(ATTACHMENTS_OF_APPEALS.format(marks=marks), chunk):
            attachments[item["appeal_id"]].append(
                Attachment(
                    kind=item["kind"],
                    file_id=item["file_id"],
                    file_unique_id=item["file_unique_id"],
                    file_name=item["file_name"],
                )
            )
    return [appeal_from_row(row, attachments[row["id"]], calls.get(row["id"])) for row in rows]


def call_from_row(row: sqlite3.Row) -> ScheduledCall:
    return ScheduledCall(
        start=from_db(row["slot_start"]),
        end=from_db(row["slot_end"]),
        status=CallStatus(row["status"]),
        result=row["result"],
        marked_by=row["marked_by"],
        marked_at=from_db_optional(row["marked_at"]),
        confirmed_at=from_db_optional(row["confirmed_at"]),
    )


def appeal_from_row(
    row: sqlite3.Row, attachments: list[Attachment], call: ScheduledCall | None = None
) -> Appeal:
    return Appeal(
        id=row["id"],
        number=row["number"],
        citizen_id=row["citizen_id"],
        chat_id=row["chat_id"],
        type=AppealType(row["type"]),
        status=AppealStatus(row["status"]),
        fields=json.loads(row["fields"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        closed_at=from_db_optional(row["closed_at"]),
        attachments=attachments,
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee_name"],
        first_answered_at=from_db_optional(row["first_answered_at"]),
        resolution=row["resolution"],
        rating=row["rating"],
        rating_comment=row["rating_comment"],
        call=call,
        erasure=ErasureReason(row["erasure_reason"]) if row["erasure_reason"] else None,
        desk=row["desk"],
    )


def event_from_row(row: sqlite3.Row) -> AppealEvent:
    def ref(prefix: str) -> MessageRef | None:
        chat_id, message_id = row[f"{prefix}_chat_id"], row[f"{prefix}_message_id"]
        return None if chat_id is None or message_id is None else MessageRef(chat_id, message_id)

    return AppealEvent(
        id=row["id"],
        appeal_id=row["appeal_id"],
        kind=EventKind(row["kind"]),
        actor=Actor(MessageAuthor(row["actor"]), row["actor_id"], row["actor_name"]),
        status_before=AppealStatus(row["status_before"]) if row["status_before"] else None,
        status_after=AppealStatus(row["status_after"]) if row["status_after"] else None,
        text=row["text"],
        content=json.loads(row["content"]) if row["content"] else None,
        origin=ref("origin"),
        copy=ref("copy"),
        created_at=from_db(row["created_at"]),
    )
