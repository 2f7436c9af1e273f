"""Applying an :class:`AppealChange` inside an open transaction.

Used by appeal filing (the follow-up of ``create``) and by the desk
repository, so that an appeal's state, its events and the outbox rows they
cause are always committed together.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.models import (
    Appeal,
    AppealChange,
    AppealStatus,
    CallChange,
    CallStatus,
    OutboxKind,
    SlotClaim,
)
from bot.storage.shared import lane
from bot.storage.sqlite.database import Transaction
from bot.storage.sqlite.rows import load_appeal
from bot.storage.sqlite.timefmt import to_db


async def apply_change(tx: Transaction, change: AppealChange, stamp: str) -> Appeal | None:
    row = await tx.fetchone(
        "SELECT status, citizen_id, assignee_id, rating, rating_comment FROM appeals WHERE id = ?",
        (change.appeal_id,),
    )
    if row is None or not _guards_pass(change, row):
        return None
    if change.call is not None and not await _call_guards_pass(tx, change.appeal_id, change.call):
        return None
    before = AppealStatus(row["status"])
    transition = change.status is not None and change.status != before
    sets, params = _appeal_updates(change, row, stamp, transition)
    await tx.execute(
        f"UPDATE appeals SET {', '.join(sets)} WHERE id = ?", (*params, change.appeal_id)
    )
    await _update_flags(tx, change, row["citizen_id"], stamp)
    if change.call is not None:
        await _update_call(tx, change.appeal_id, change.call, stamp)
    outbox_ids = []
    for message in change.outbox:
        outbox_ids.append(
            await tx.execute(
                "INSERT INTO outbox (appeal_id, lane, audience, chat_id, kind, payload, not_before,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    change.appeal_id,
                    lane(message.audience, change.appeal_id),
                    message.audience,
                    message.chat_id,
                    OutboxKind(message.kind),
                    json.dumps(message.payload, ensure_ascii=False),
                    stamp,
                    stamp,
                ),
            )
        )
    for index, event in enumerate(change.events):
        status_before, status_after = (
            (before, change.status) if transition and index == 0 else (None, None)
        )
        await tx.execute(
            "INSERT INTO appeal_events (appeal_id, kind, actor, actor_id, actor_name,"
            " status_before, status_after, text, content, origin_chat_id, origin_message_id,"
            " copy_chat_id, copy_message_id, outbox_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                change.appeal_id,
                event.kind,
                event.actor.kind,
                event.actor.id,
                event.actor.name,
                status_before,
                status_after,
                event.text,
                json.dumps(event.content, ensure_ascii=False) if event.content else None,
                event.origin.chat_id if event.origin else None,
                event.origin.message_id if event.origin else None,
                event.copy.chat_id if event.copy else None,
                event.copy.message_id if event.copy else None,
                outbox_ids[event.outbox_index] if event.outbox_index is not None else None,
                stamp,
            ),
        )
        if event.history_text is not None:
            await tx.execute(
                "INSERT INTO appeal_messages (appeal_id, author, author_id, text, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (change.appeal_id, event.actor.kind, event.actor.id, event.history_text, stamp),
            )
    return await load_appeal(tx, change.appeal_id)


async def slot_has_room(tx: Transaction, claim: SlotClaim, appeal_id: int | None = None) -> bool:
    """Fewer than ``claim.capacity`` scheduled calls (other than this appeal's) overlap it.

    A call whose appeal an operator closed without marking it holds no slot.
    """
    row = await tx.fetchone(
        "SELECT COUNT(*) FROM callbacks JOIN appeals ON appeals.id = callbacks.appeal_id"
        " WHERE callbacks.status = ? AND appeals.status != ? AND slot_start < ?"
        " AND slot_end > ? AND appeal_id != ?",
        (
            CallStatus.SCHEDULED,
            AppealStatus.CLOSED,
            to_db(claim.end),
            to_db(claim.start),
            appeal_id or 0,
        ),
    )
    assert row is not None
    return int(row[0]) < claim.capacity


async def _call_guards_pass(tx: Transaction, appeal_id: int, change: CallChange) -> bool:
    row = await tx.fetchone(
        "SELECT status, slot_start, confirmed_at FROM callbacks WHERE appeal_id = ?",
        (appeal_id,),
    )
    if row is None:
        return False
    if change.allowed_statuses is not None and row["status"] not in change.allowed_statuses:
        return False
    if change.expected_start is not None and row["slot_start"] != to_db(change.expected_start):
        return False
    if change.confirmed and row["confirmed_at"] is not None:
        return False
    return change.claim is None or await slot_has_room(tx, change.claim, appeal_id)


async def _update_call(tx: Transaction, appeal_id: int, change: CallChange, stamp: str) -> None:
    sets: list[str] = ["updated_at = ?"]
    params: list[Any] = [stamp]
    if change.status is not None:
        sets.append("status = ?")
        params.append(change.status)
    if change.claim is not None:
        sets += ["slot_start = ?", "slot_end = ?"]
        params += [to_db(change.claim.start), to_db(change.claim.end)]
    if change.result is not None:
        sets.append("result = ?")
        params.append(change.result)
    if change.marked_by is not None:
        sets += ["marked_by = ?", "marked_at = ?"]
        params += [change.marked_by, stamp]
    if change.confirmed:
        sets.append("confirmed_at = ?")
        params.append(stamp)
    await tx.execute(
        f"UPDATE callbacks SET {', '.join(sets)} WHERE appeal_id = ?", (*params, appeal_id)
    )


def _guards_pass(change: AppealChange, row: Any) -> bool:
    if change.allowed_statuses is not None and row["status"] not in change.allowed_statuses:
        return False
    if change.rating is not None and row["rating"] is not None:
        return False
    return change.rating_comment is None or (
        row["rating"] is not None and row["rating_comment"] is None
    )


def _appeal_updates(
    change: AppealChange, row: Any, stamp: str, transition: bool
) -> tuple[list[str], list[Any]]:
    sets: list[str] = ["updated_at = ?"]
    params: list[Any] = [stamp]
    if transition:
        sets.append("status = ?")
        params.append(change.status)
        if change.status == AppealStatus.CLOSED:
            sets.append("closed_at = ?")
            params.append(stamp)
        elif row["status"] == AppealStatus.CLOSED:  # reopened: open again, not closed
            sets.append("closed_at = NULL")
    if change.assignee is not None and (change.replace_assignee or row["assignee_id"] is None):
        sets += ["assignee_id = ?", "assignee_name = ?"]
        params += [change.assignee.id, change.assignee.name]
    if change.resolution is not None:
        sets.append("resolution = ?")
        params.append(change.resolution)
    if change.answered:
        sets.append("first_answered_at = COALESCE(first_answered_at, ?)")
        params.append(stamp)
    if change.rating is not None:
        sets += ["rating = ?", "rated_at = ?"]
        params += [change.rating, stamp]
    if change.rating_comment is not None:
        sets.append("rating_comment = ?")
        params.append(change.rating_comment)
    if change.desk is not None:
        sets.append("desk = ?")
        params.append(change.desk)
    return sets, params


async def _update_flags(tx: Transaction, change: AppealChange, user_id: int, stamp: str) -> None:
    if change.citizen_banned is not None:
        await tx.execute(
            "INSERT INTO citizen_flags (user_id, banned_at, banned_by) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET banned_at = excluded.banned_at,"
            " banned_by = excluded.banned_by",
            (
                user_id,
                stamp if change.citizen_banned else None,
                change.banned_by if change.citizen_banned else None,
            ),
        )
    if change.citizen_blocked_bot is not None:
        await tx.execute(
            "INSERT INTO citizen_flags (user_id, bot_blocked_at) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET bot_blocked_at = excluded.bot_blocked_at",
            (user_id, stamp if change.citizen_blocked_bot else None),
        )
