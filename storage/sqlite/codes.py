from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.models import CodeStatus, VerificationCode
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import from_db, to_db


class SQLiteCodeRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def issue(
        self,
        user_id: int,
        phone: str,
        code_hash: str,
        salt: str,
        now: datetime,
        expires_at: datetime,
    ) -> VerificationCode:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE verification_codes SET status = ? WHERE user_id = ? AND status = ?",
                (CodeStatus.SUPERSEDED, user_id, CodeStatus.ACTIVE),
            )
            code_id = await tx.execute(
                "INSERT INTO verification_codes"
                " (user_id, phone, code_hash, salt, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, phone, code_hash, salt, to_db(now), to_db(expires_at)),
            )
            row = await tx.fetchone("SELECT * FROM verification_codes WHERE id = ?", (code_id,))
        assert row is not None
        return _code(row)

    async def latest(self, user_id: int, phone: str) -> VerificationCode | None:
        row = await self._db.fetchone(
            "SELECT * FROM verification_codes WHERE user_id = ? AND phone = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (user_id, phone),
        )
        return None if row is None else _code(row)

    async def last_issued_for_phone(self, phone: str) -> VerificationCode | None:
        row = await self._db.fetchone(
            "SELECT * FROM verification_codes WHERE phone = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (phone,),
        )
        return None if row is None else _code(row)

    async def count_issued_since(self, phone: str, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM verification_codes WHERE phone = ? AND created_at >= ?",
            (phone, to_db(since)),
        )
        return int(row[0]) if row is not None else 0

    async def record_failure(self, code_id: int, exhausted: bool) -> None:
        await self._db.execute(
            "UPDATE verification_codes SET failed_attempts = failed_attempts + 1,"
            " status = CASE WHEN ? THEN ? ELSE status END WHERE id = ?",
            (exhausted, CodeStatus.EXHAUSTED, code_id),
        )

    async def mark_used(self, code_id: int) -> None:
        await self._db.execute(
            "UPDATE verification_codes SET status = ? WHERE id = ?", (CodeStatus.USED, code_id)
        )


def _code(row: sqlite3.Row) -> VerificationCode:
    return VerificationCode(
        id=row["id"],
        user_id=row["user_id"],
        phone=row["phone"],
        code_hash=row["code_hash"],
        salt=row["salt"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        failed_attempts=row["failed_attempts"],
        status=CodeStatus(row["status"]),
    )
