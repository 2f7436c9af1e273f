"""Rows to models, shared by the PostgreSQL repositories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from asyncpg import Connection, Record

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

# Of a group of appeals, by an array of ids: one statement whatever the group's size.
CALLS_OF_APPEALS = "SELECT * FROM callbacks WHERE appeal_id = ANY($1::bigint[])"
ATTACHMENTS_OF_APPEALS = (
    "SELECT appeal_id, kind, file_id, file_unique_id, file_name FROM appeal_attachments"
    " WHERE appeal_id = ANY($1::bigint[]) ORDER BY appeal_id, id"
)


async def load_appeal(connection: Connection, appeal_id: int) -> Appeal | None:
    row = await connection.fetchrow("SELECT * FROM appeals WHERE id = $1", appeal_id)
    return None if row is None else (await appeals_with_details(connection, [row]))[0]


async def appeals_with_details(connection: Connection, rows: Sequence[Record]) -> list[Appeal]:
    """The appeals of ``rows``, in order, with their attachments and calls (two queries)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    calls = {
        call["appeal_id"]: call_from_row(call)
        for call in await connection.fetch(CALLS_OF_APPEALS, ids)
    }
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for item in await connection.fetch(ATTACHMENTS_OF_APPEALS, ids):
        attachments[item["appeal_id"]].append(
            Attachment(
                kind=item["kind"],
                file_id=item["file_id"],
                file_unique_id=item["file_unique_id"],
                file_name=item["file_name"],
            )
        )
    return [appeal_from_row(row, attachments[row["id"]], calls.get(row["id"])) for row in rows]


def call_from_row(row: Record) -> ScheduledCall:
    return ScheduledCall(
        start=row["slot_start"],
        end=row["slot_end"],
        status=CallStatus(row["status"]),
        result=row["result"],
        marked_by=row["marked_by"],
        marked_at=row["marked_at"],
        confirmed_at=row["confirmed_at"],
    )


def appeal_from_row(
    row: Record, attachments: list[Attachment], call: ScheduledCall | None = None
) -> Appeal:
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
        attachments=attachments,
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee_name"],
        first_answered_at=row["first_answered_at"],
        resolution=row["resolution"],
        rating=row["rating"],
        rating_comment=row["rating_comment"],
        call=call,
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
