"""Erasure of personal data: on the citizen's request and after the retention period.

Appeals stay (numbers, types, statuses and dates keep statistics and the
operators' history consistent); every collected value becomes «удалено».
After each erasure the database's log is emptied (:meth:`Database.truncate_log`):
it still holds the pages as they were before. Each erasure also writes a
destruction record in the same transaction (see the end of this module).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from bot.domain.models import ERASED_VALUE as ERASED
from bot.domain.models import ErasureReason, ErasureRecord
from bot.storage.sqlite.database import Database, Transaction
from bot.storage.sqlite.desk_erasure import withdraw_from_desk
from bot.storage.sqlite.timefmt import from_db, to_db


class SQLitePrivacyRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def citizen_phones(self, user_id: int) -> set[str]:
        """Every number the citizen verified or was sent a code to."""
        rows = await self._db.fetchall(
            "SELECT phone FROM citizens WHERE user_id = ? AND phone IS NOT NULL"
            " UNION SELECT phone FROM phone_history WHERE user_id = ?"
            " UNION SELECT phone FROM verification_codes WHERE user_id = ?",
            (user_id, user_id, user_id),
        )
        return {row["phone"] for row in rows}

    async def erase_citizen(
        self, user_id: int, now: datetime, erased_elsewhere: Collection[str] = ()
    ) -> int:
        """Erase the citizen's profile, phone history, codes and appeal data; return appeals.

        ``erased_elsewhere``: names of what the caller erased outside the database,
        for the destruction record.
        """
        async with self._db.transaction() as tx:
            erased_fields = await _profile_fields_held(tx, user_id) | set(erased_elsewhere)
            await tx.execute("DELETE FROM phone_history WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM verification_codes WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM consents WHERE user_id = ?", (user_id,))  # withdrawn
            await tx.execute(
                "UPDATE citizens SET phone = NULL, phone_verified_at = NULL, updated_at = ?"
                " WHERE user_id = ?",
                (to_db(now), user_id),
            )
            rows = await tx.fetchall(
                "SELECT id, fields FROM appeals WHERE citizen_id = ?", (user_id,)
            )
            erased_fields |= await _appeal_fields_held(tx, rows)
            await _erase_appeals(tx, rows, now)
            await withdraw_from_desk(
                tx, [row["id"] for row in rows], to_db(now), ErasureReason.REQUEST
            )
            # Nobody can call an erased number: its slots go back to other citizens.
            await tx.execute(
                "UPDATE callbacks SET status = 'cancelled', updated_at = ?"
                " WHERE status IN ('scheduled', 'not_reached')"
                " AND appeal_id IN (SELECT id FROM appeals WHERE citizen_id = ?)",
                (to_db(now), user_id),
            )
            await tx.execute("DELETE FROM fsm_sessions WHERE user_id = ?", (user_id,))
            await _record(tx, now, ErasureReason.REQUEST, rows, erased_fields)
        await self._db.truncate_log()
        return len(rows)

    async def erase_closed_before(self, cutoff: datetime, now: datetime) -> int:
        """Erase appeals closed before ``cutoff`` and not erased yet; return how many."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT id, fields FROM appeals"
                " WHERE closed_at IS NOT NULL AND closed_at < ? AND erased_at IS NULL",
                (to_db(cutoff),),
            )
            if rows:
                erased_fields = await _appeal_fields_held(tx, rows)
                await _erase_appeals(tx, rows, now)
                await withdraw_from_desk(
                    tx, [row["id"] for row in rows], to_db(now), ErasureReason.RETENTION
                )
                await _record(tx, now, ErasureReason.RETENTION, rows, erased_fields)
        if rows:
            await self._db.truncate_log()
        return len(rows)

    async def record_erasure(
        self, reason: ErasureReason, fields: Collection[str], now: datetime
    ) -> None:
        """A destruction record for an erasure outside the database (the SMS outbox file)."""
        async with self._db.transaction() as tx:
            await _record(tx, now, reason, [], set(fields))

    async def erasures_since(self, moment: datetime) -> list[ErasureRecord]:
        """The destruction records from ``moment`` on, oldest first."""
        rows = await self._db.fetchall(
            "SELECT erased_at, reason, appeals, fields FROM erasure_records"
            " WHERE erased_at >= ? ORDER BY erased_at, id",
            (to_db(moment),),
        )
        return [
            ErasureRecord(
                erased_at=from_db(row["erased_at"]),
                reason=ErasureReason(row["reason"]),
                appeals=tuple(json.loads(row["appeals"])),
                fields=tuple(json.loads(row["fields"])),
            )
            for row in rows
        ]


async def _erase_appeals(tx: Transaction, rows: list, now: datetime) -> None:
    stamp = to_db(now)
    for row in rows:
        fields = {name: ERASED for name in json.loads(row["fields"])}
        await tx.execute(
            "UPDATE appeals SET fields = ?, erased_at = ? WHERE id = ?",
            (json.dumps(fields, ensure_ascii=False), stamp, row["id"]),
        )
        await tx.execute("DELETE FROM appeal_attachments WHERE appeal_id = ?", (row["id"],))
        await tx.execute(
            "UPDATE appeal_messages SET text = ? WHERE appeal_id = ?", (ERASED, row["id"])
        )
        # The operator desk's copies: outcome, rating comment, relayed texts and files.
        await tx.execute(
            "UPDATE appeals SET resolution = CASE WHEN resolution IS NULL THEN NULL ELSE ? END,"
            " rating_comment = CASE WHEN rating_comment IS NULL THEN NULL ELSE ? END"
            " WHERE id = ?",
            (ERASED, ERASED, row["id"]),
        )
        await tx.execute(
            "UPDATE callbacks SET result = CASE WHEN result IS NULL THEN NULL ELSE ? END"
            " WHERE appeal_id = ?",
            (ERASED, row["id"]),
        )
        await tx.execute(
            "UPDATE appeal_events SET text = CASE WHEN text IS NULL THEN NULL ELSE ? END,"
            " content = NULL WHERE appeal_id = ?",
            (ERASED, row["id"]),
        )
        await tx.execute(
            "UPDATE outbox SET payload = '{}' WHERE appeal_id = ? AND status != 'pending'",
            (row["id"],),
        )


# --- the destruction record --------------------------------------------------------------
# Read before the erasure, in its transaction: the names of what held data, never a value.

_IDS = "(SELECT value FROM json_each(:ids))"
_APPEAL_DATA = {
    "attachments": f"SELECT 1 FROM appeal_attachments WHERE appeal_id IN {_IDS}",
    "comments": f"SELECT 1 FROM appeal_messages WHERE appeal_id IN {_IDS} AND text != :erased",
    "resolution": f"SELECT 1 FROM appeals WHERE id IN {_IDS} AND resolution != :erased",
    "rating_comment": f"SELECT 1 FROM appeals WHERE id IN {_IDS} AND rating_comment != :erased",
    "callback_result": f"SELECT 1 FROM callbacks WHERE appeal_id IN {_IDS} AND result != :erased",
    "relayed_messages": f"SELECT 1 FROM appeal_events WHERE appeal_id IN {_IDS}"
    " AND (text != :erased OR content IS NOT NULL)",
    "outbox_payloads": f"SELECT 1 FROM outbox WHERE appeal_id IN {_IDS} AND payload != '{{}}'",
}
_PROFILE_DATA = {
    "phone": "SELECT 1 FROM citizens WHERE user_id = ? AND phone IS NOT NULL",
    "phone_history": "SELECT 1 FROM phone_history WHERE user_id = ?",
    "verification_codes": "SELECT 1 FROM verification_codes WHERE user_id = ?",
    "dialogue_state": "SELECT 1 FROM fsm_sessions WHERE user_id = ?",
}


async def _profile_fields_held(tx: Transaction, user_id: int) -> set[str]:
    return {
        name
        for name, query in _PROFILE_DATA.items()
        if await tx.fetchone(f"{query} LIMIT 1", (user_id,)) is not None
    }


async def _appeal_fields_held(tx: Transaction, rows: Sequence[sqlite3.Row]) -> set[str]:
    held = {
        name for row in rows for name, value in json.loads(row["fields"]).items() if value != ERASED
    }
    params = {"ids": json.dumps([row["id"] for row in rows]), "erased": ERASED}
    for name, query in _APPEAL_DATA.items():
        if await tx.fetchone(f"{query} LIMIT 1", params) is not None:
            held.add(name)
    return held


async def _record(
    tx: Transaction,
    now: datetime,
    reason: ErasureReason,
    rows: Sequence[sqlite3.Row],
    fields: set[str],
) -> None:
    numbers = [
        row["number"]
        for row in await tx.fetchall(
            f"SELECT number FROM appeals WHERE id IN {_IDS} ORDER BY id",
            {"ids": json.dumps([row["id"] for row in rows])},
        )
    ]
    await tx.execute(
        "INSERT INTO erasure_records (erased_at, reason, appeals, fields) VALUES (?, ?, ?, ?)",
        (to_db(now), reason, json.dumps(numbers), json.dumps(sorted(fields))),
    )
