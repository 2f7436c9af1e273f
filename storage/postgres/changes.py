"""Applying an :class:`AppealChange` inside an open transaction, on PostgreSQL.

As on SQLite (:mod:`bot.storage.sqlite.changes`), an appeal's state, its events and
the outbox rows they cause are committed together. Guards are read from the
appeal's row locked ``FOR UPDATE``, so two processes pressing at once see each
other's change: the second waits for the first to commit and checks its guard
against the result. Claims of a call slot are counted under an advisory lock, so
two processes cannot both give the last place of a slot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asyncpg import Connection, Record

from bot.domain.models import (
    Appeal,
    AppealChange,
    AppealStatus,
    CallChange,
    CallStatus,
    OutboxKind,
    SlotClaim,
)
from bot.storage.postgres.database import ADVISORY_LOCK
from bot.storage.postgres.rows import load_appeal
from bot.storage.postgres.values import utc
from bot.storage.shared import lane

CALL_SLOTS_LOCK = "gosuslugi-support-bot:call-slots"

_INSERT_OUTBOX = (
    "INSERT INTO outbox (appeal_id, lane, audience, chat_id, kind, payload, not_before,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
)
_INSERT_EVENT = (
    "INSERT INTO appeal_events (appeal_id, kind, actor, actor_id, actor_name,"
    " status_before, status_after, text, content, origin_chat_id, origin_message_id,"
    " copy_chat_id, copy_message_id, outbox_id, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
)


async def lock_appeals(connection: Connection, appeal_ids: list[int]) -> None:
    """Lock the appeals' rows in id order, so that transactions locking several never
    wait for each other in a circle."""
    await connection.execute(
        "SELECT id FROM appeals WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        sorted(set(appeal_ids)),
    )


async def apply_change(
    connection: Connection, change: AppealChange, stamp: datetime
) -> Appeal | None:
    row = await connection.fetchrow(
        "SELECT status, citizen_id, assignee_id, rating, rating_comment FROM appeals"
        " WHERE id = $1 FOR UPDATE",
        change.appeal_id,
    )
    if row is None or not _guards_pass(change, row):
        return None
    if change.call is not None and not await _call_guards_pass(
        connection, change.appeal_id, change.call
    ):
        return None
    before = AppealStatus(row["status"])
    transition = change.status is not None and change.status != before
    sets, params = _appeal_updates(change, row, stamp, transition)
    await connection.execute(
        f"UPDATE appeals SET {', '.join(sets)} WHERE id = ${len(params) + 1}",
        *params,
        change.appeal_id,
    )
    await _update_flags(connection, change, row["citizen_id"], stamp)
    if change.call is not None:
        await _update_call(connection, change.appeal_id, change.call, stamp)
    outbox_ids = [
        await connection.fetchval(
            _INSERT_OUTBOX,
            change.appeal_id,
            lane(message.audience, change.appeal_id),
            message.audience,
            message.chat_id,
            OutboxKind(message.kind),
            message.payload,
            stamp,
        )
        for message in change.outbox
    ]
    for index, event in enumerate(change.events):
        status_before, status_after = (
            (before, change.status) if transition and index == 0 else (None, None)
        )
        await connection.execute(
            _INSERT_EVENT,
            change.appeal_id,
            event.kind,
            event.actor.kind,
            event.actor.id,
            event.actor.name,
            status_before,
            status_after,
            event.text,
            event.content or None,
            event.origin.chat_id if event.origin else None,
            event.origin.message_id if event.origin else None,
            event.copy.chat_id if event.copy else None,
            event.copy.message_id if event.copy else None,
            outbox_ids[event.outbox_index] if event.outbox_index is not None else None,
            stamp,
        )
        if event.history_text is not None:
            await connection.execute(
                "INSERT INTO appeal_messages (appeal_id, author, author_id, text, created_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                change.appeal_id,
                event.actor.kind,
                event.actor.id,
                event.history_text,
                stamp,
            )
    return await load_appeal(connection, change.appeal_id)


async def slot_has_room(
    connection: Connection, claim: SlotClaim, appeal_id: int | None = None
) -> bool:
    """Fewer than ``claim.capacity`` scheduled calls (other than this appeal's) overlap it.

    Takes the slots' advisory lock until the transaction ends: the booking that
    follows a yes is committed before any other process counts.
    A call whose appeal an operator closed without marking it holds no slot.
    """
    await connection.execute(ADVISORY_LOCK, CALL_SLOTS_LOCK)
    taken = await connection.fetchval(
        "SELECT COUNT(*) FROM callbacks JOIN appeals ON appeals.id = callbacks.appeal_id"
        " WHERE callbacks.status = $1 AND appeals.status != $2 AND slot_start < $3"
        " AND slot_end > $4 AND appeal_id != $5",
        CallStatus.SCHEDULED,
        AppealStatus.CLOSED,
        utc(claim.end),
        utc(claim.start),
        appeal_id or 0,
    )
    return int(taken) < claim.capacity


async def _call_guards_pass(connection: Connection, appeal_id: int, change: CallChange) -> bool:
    row = await connection.fetchrow(
        "SELECT status, slot_start, confirmed_at FROM callbacks WHERE appeal_id = $1 FOR UPDATE",
        appeal_id,
    )
    if row is None:
        return False
    if change.allowed_statuses is not None and row["status"] not in change.allowed_statuses:
        return False
    if change.expected_start is not None and row["slot_start"] != utc(change.expected_start):
        return False
    if change.confirmed and row["confirmed_at"] is not None:
        return False
    return change.claim is None or await slot_has_room(connection, change.claim, appeal_id)


class _Sets:
    """The SET list of an UPDATE with numbered parameters."""

    def __init__(self) -> None:
        self.columns: list[str] = []
        self.params: list[Any] = []

    def add(self, column: str, value: Any, expression: str = "{}") -> None:
        self.params.append(value)
        self.columns.append(f"{column} = {expression.format(f'${len(self.params)}')}")


async def _update_call(
    connection: Connection, appeal_id: int, change: CallChange, stamp: datetime
) -> None:
    sets = _Sets()
    sets.add("updated_at", stamp)
    if change.status is not None:
        sets.add("status", change.status)
    if change.claim is not None:
        sets.add("slot_start", utc(change.claim.start))
        sets.add("slot_end", utc(change.claim.end))
    if change.result is not None:
        sets.add("result", change.result)
    if change.marked_by is not None:
        sets.add("marked_by", change.marked_by)
        sets.add("marked_at", stamp)
    if change.confirmed:
        sets.add("confirmed_at", stamp)
    await connection.execute(
        f"UPDATE callbacks SET {', '.join(sets.columns)} WHERE appeal_id = ${len(sets.params) + 1}",
        *sets.params,
        appeal_id,
    )


def _guards_pass(change: AppealChange, row: Record) -> bool:
    if change.allowed_statuses is not None and row["status"] not in change.allowed_statuses:
        return False
    if change.rating is not None and row["rating"] is not None:
        return False
    return change.rating_comment is None or (
        row["rating"] is not None and row["rating_comment"] is None
    )


def _appeal_updates(
    change: AppealChange, row: Record, stamp: datetime, transition: bool
) -> tuple[list[str], list[Any]]:
    sets = _Sets()
    sets.add("updated_at", stamp)
    if transition:
        sets.add("status", change.status)
        if change.status == AppealStatus.CLOSED:
            sets.add("closed_at", stamp)
        elif row["status"] == AppealStatus.CLOSED:  # reopened: open again, not closed
            sets.add("closed_at", None)
    if change.assignee is not None and (change.replace_assignee or row["assignee_id"] is None):
        sets.add("assignee_id", change.assignee.id)
        sets.add("assignee_name", change.assignee.name)
    if change.resolution is not None:
        sets.add("resolution", change.resolution)
    if change.answered:
        sets.add("first_answered_at", stamp, "COALESCE(first_answered_at, {})")
    if change.rating is not None:
        sets.add("rating", change.rating)
        sets.add("rated_at", stamp)
    if change.rating_comment is not None:
        sets.add("rating_comment", change.rating_comment)
    if change.desk is not None:
        sets.add("desk", change.desk)
    return sets.columns, sets.params


async def _update_flags(
    connection: Connection, change: AppealChange, user_id: int, stamp: datetime
) -> None:
    if change.citizen_banned is not None:
        await connection.execute(
            "INSERT INTO citizen_flags (user_id, banned_at, banned_by) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET banned_at = excluded.banned_at,"
            " banned_by = excluded.banned_by",
            user_id,
            stamp if change.citizen_banned else None,
            change.banned_by if change.citizen_banned else None,
        )
    if change.citizen_blocked_bot is not None:
        await connection.execute(
            "INSERT INTO citizen_flags (user_id, bot_blocked_at) VALUES ($1, $2)"
            " ON CONFLICT (user_id) DO UPDATE SET bot_blocked_at = excluded.bot_blocked_at",
            user_id,
            stamp if change.citizen_blocked_bot else None,
        )
