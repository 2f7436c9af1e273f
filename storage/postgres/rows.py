"""Rows to models, shared by the PostgreSQL repositories."""

from __future__ import annotations

from typing import Any

from asyncpg import Connection, Pool, Record

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

# An appeal's row with its call and its attachments in one statement: one round trip
# instead of three. The call is a row (NULL without one), the attachments an array of rows
# in the order they came; asyncpg gives both as tuples of native values. Each subquery is
# an index search (the call's primary key, ix_attachments_appeal).
APPEAL_COLUMNS = (
    "appeals.*,"
    " (SELECT ROW(c.slot_start, c.slot_end, c.status, c.result, c.marked_by, c.marked_at,"
    " c.confirmed_at) FROM callbacks AS c WHERE c.appeal_id = appeals.id) AS call_row,"
    " ARRAY(SELECT ROW(f.kind, f.file_id, f.file_unique_id, f.file_name)"
    " FROM appeal_attachments AS f WHERE f.appeal_id = appeals.id ORDER BY f.id)"
    " AS attachment_rows"
)
SELECT_APPEALS = f"SELECT {APPEAL_COLUMNS} FROM appeals"


async def load_appeal(connection: Connection | Pool, appeal_id: int) -> Appeal | None:
    """The appeal ``appeal_id`` in a transaction or by itself (one statement either way)."""
    row = await connection.fetchrow(f"{SELECT_APPEALS} WHERE appeals.id = $1", appeal_id)
    return None if row is None else appeal_from_row(row)


def _call(values: tuple[Any, ...] | None) -> ScheduledCall | None:
    if values is None:
        return None
    start, end, status, result, marked_by, marked_at, confirmed_at = values
    return ScheduledCall(
        start=start,
        end=end,
        status=CallStatus(status),
        result=result,
        marked_by=marked_by,
        marked_at=marked_at,
        confirmed_at=confirmed_at,
    )


def appeal_from_row(row: Record) -> Appeal:
    """An appeal from a row of :data:`SELECT_APPEALS` (its call and attachments with it)."""
    return Appeal(
        id=row["id"],
        number=row["number"],
        citizen_id=row["citizen_id"],
        chat_id=row["chat_id"],
        type=AppealType(row["type"]),
        status=AppealStatus(row["status"]),
        fields=row["fields"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        attachments=[
            Attachment(kind=kind, file_id=file_id, file_unique_id=unique_id, file_name=name)
            for kind, file_id, unique_id, name in row["attachment_rows"]
        ],
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee_name"],
        first_answered_at=row["first_answered_at"],
        resolution=row["resolution"],
        rating=row["rating"],
        rating_comment=row["rating_comment"],
        call=_call(row["call_row"]),
        erasure=ErasureReason(row["erasure_reason"]) if row["erasure_reason"] else None,
        desk=row["desk"],
    )


def event_from_row(row: Record) -> AppealEvent:
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
        content=row["content"] or None,
        origin=ref("origin"),
        copy=ref("copy"),
        created_at=row["created_at"],
    )
