from __future__ import annotations

from datetime import datetime

from asyncpg import Record

from bot.domain.models import CodeStatus, VerificationCode
from bot.storage.postgres.database import ADVISORY_LOCK, PostgresDatabase
from bot.storage.postgres.values import utc

_LATEST = " ORDER BY created_at DESC, id DESC LIMIT 1"


class PostgresCodeRepository:
    def __init__(self, database: PostgresDatabase) -> None:
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
        async with self._db.transaction() as connection:
            # One user's codes are issued one at a time across processes: two at once
            # would each supersede only the older codes and both stay active.
            await connection.execute(ADVISORY_LOCK, f"verification-codes:{user_id}")
            await connection.execute(
                "UPDATE verification_codes SET status = $1 WHERE user_id = $2 AND status = $3",
                CodeStatus.SUPERSEDED,
                user_id,
                CodeStatus.ACTIVE,
            )
            row = await connection.fetchrow(
                "INSERT INTO verification_codes"
                " (user_id, phone, code_hash, salt, created_at, expires_at)"
                " VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
                user_id,
                phone,
                code_hash,
                salt,
                utc(now),
                utc(expires_at),
            )
        return _code(row)

    async def latest(self, user_id: int, phone: str) -> VerificationCode | None:
        row = await self._db.pool.fetchrow(
            "SELECT * FROM verification_codes WHERE user_id = $1 AND phone = $2" + _LATEST,
            user_id,
            phone,
        )
        return None if row is None else _code(row)

    async def last_issued_for_phone(self, phone: str) -> VerificationCode | None:
        row = await self._db.pool.fetchrow(
            "SELECT * FROM verification_codes WHERE phone = $1" + _LATEST, phone
        )
        return None if row is None else _code(row)

    async def count_issued_since(self, phone: str, since: datetime) -> int:
        return int(
            await self._db.pool.fetchval(
                "SELECT COUNT(*) FROM verification_codes WHERE phone = $1 AND created_at >= $2",
                phone,
                utc(since),
            )
        )

    async def record_failure(self, code_id: int, exhausted: bool) -> None:
        await self._db.pool.execute(
            "UPDATE verification_codes SET failed_attempts = failed_attempts + 1,"
            " status = CASE WHEN $1::boolean THEN $2 ELSE status END WHERE id = $3",
            exhausted,
            CodeStatus.EXHAUSTED,
            code_id,
        )

    async def mark_used(self, code_id: int) -> None:
        await self._db.pool.execute(
            "UPDATE verification_codes SET status = $1 WHERE id = $2", CodeStatus.USED, code_id
        )


def _code(row: Record) -> VerificationCode:
    return VerificationCode(
        id=row["id"],
        user_id=row["user_id"],
        phone=row["phone"],
        code_hash=row["code_hash"],
        salt=row["salt"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        failed_attempts=row["failed_attempts"],
        status=CodeStatus(row["status"]),
    )
