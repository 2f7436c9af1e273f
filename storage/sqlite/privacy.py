"""Erasure of personal data: on the citizen's request and after the retention period.

Appeals stay (numbers, types, statuses and dates keep statistics and the
operators' history consistent); every collected value becomes «удалено».
"""

from __future__ import annotations

import json
from datetime import datetime

from storage.models import ERASED_VALUE as ERASED
from storage.sqlite.database import Database, Transaction
from storage.sqlite.timefmt import to_db


class SQLitePrivacyRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def erase_citizen(self, user_id: int, now: datetime) -> int:
        """Erase the citizen's profile, phone history, codes and appeal data; return appeals."""
        async with self._db.transaction() as tx:
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
            await _erase_appeals(tx, rows, now)
            # Nobody can call an erased number: its slots go back to other citizens.
            await tx.execute(
                "UPDATE callbacks SET status = 'cancelled', updated_at = ?"
                " WHERE status IN ('scheduled', 'not_reached')"
                " AND appeal_id IN (SELECT id FROM appeals WHERE citizen_id = ?)",
                (to_db(now), user_id),
            )
            await tx.execute(
                "DELETE FROM fsm_sessions WHERE user_id = ?", (user_id,)
            )
        return len(rows)

    async def erase_closed_before(self, cutoff: datetime, now: datetime) -> int:
        """Erase appeals closed before ``cutoff`` and not erased yet; return how many."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT id, fields FROM appeals"
                " WHERE closed_at IS NOT NULL AND closed_at < ? AND erased_at IS NULL",
                (to_db(cutoff),),
            )
            await _erase_appeals(tx, rows, now)
        return len(rows)


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
        # Relays not yet delivered to the operators would carry the data out: drop them.
        await tx.execute(
            "UPDATE outbox SET status = 'failed', last_error = 'personal data erased'"
            " WHERE appeal_id = ? AND status = 'pending' AND audience = 'operators'"
            " AND kind IN ('message', 'edit')",
            (row["id"],),
        )
        await tx.execute(
            "UPDATE outbox SET payload = '{}' WHERE appeal_id = ? AND status != 'pending'",
            (row["id"],),
        )
