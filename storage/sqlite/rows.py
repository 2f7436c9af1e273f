"""Rows to models, shared by the SQLite repositories."""

from __future__ import annotations

import json
import sqlite3

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
from bot.storage.sqlite.database import Database, Transaction
from bot.storage.sqlite.timefmt import from_db, from_db_optional

# An appeal's row with its call and its attachments in one statement: one trip to the
# database's thread instead of three. The call is a JSON array (NULL without one), the
# attachments a JSON array of arrays, put in order here (an aggregate takes no ORDER BY
# before SQLite 3.44). Each subquery is an index search (the call's primary key,
# ix_attachments_appeal).
APPEAL_COLUMNS = (
    "appeals.*,"
    " (SELECT json_array(c.slot_start, c.slot_end, c.status, c.result, c.marked_by,"
    " c.marked_at, c.confirmed_at) FROM callbacks AS c WHERE c.appeal_id = appeals.id)"
    " AS call_json,"
    " (SELECT json_group_array(json_array(f.id, f.kind, f.file_id, f.file_unique_id,"
    " f.file_name)) FROM appeal_attachments AS f WHERE f.appeal_id = appeals.id)"
    " AS attachments_json"
)
SELECT_APPEALS = f"SELECT {APPEAL_COLUMNS} FROM appeals"


async def load_appeal(reader: Database | Transaction, appeal_id: int) -> Appeal | None:
    """The appeal ``appeal_id`` in a transaction or by itself (one statement either way)."""
    row = await reader.fetchone(f"{SELECT_APPEALS} WHERE appeals.id = ?", (appeal_id,))
    return None if row is None else appeal_from_row(row)


def _call(encoded: str | None) -> ScheduledCall | None:
    if encoded is None:
        return None
    start, end, status, result, marked_by, marked_at, confirmed_at = json.loads(encoded)
    return ScheduledCall(
        start=from_db(start),
        end=from_db(end),
        status=CallStatus(status),
        result=result,
        marked_by=marked_by,
        marked_at=from_db_optional(marked_at),
        confirmed_at=from_db_optional(confirmed_at),
    )


def _attachments(encoded: str) -> list[Attachment]:
    return [
        Attachment(kind=kind, file_id=file_id, file_unique_id=unique_id, file_name=name)
        for _, kind, file_id, unique_id, name in sorted(json.loads(encoded))
    ]


def appeal_from_row(row: sqlite3.Row) -> Appeal:
    """An appeal from a row of :data:`SELECT_APPEALS` (its call and attachments with it)."""
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
        attachments=_attachments(row["attachments_json"]),
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee_name"],
        first_answered_at=from_db_optional(row["first_answered_at"]),
        resolution=row["resolution"],
        rating=row["rating"],
        rating_comment=row["rating_comment"],
        call=_call(row["call_json"]),
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
