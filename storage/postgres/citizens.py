from __future__ import annotations

from datetime import datetime

from asyncpg import Record

from bot.domain.models import Citizen, PhoneHistoryEntry
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import utc


class PostgresCitizenRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def get(self, user_id: int) -> Citizen | None:
        row = await self._db.pool.fetchrow("SELECT * FROM citizens WHERE user_id = $1", user_id)
        return None if row is None else _citizen(row)

    async def ensure(self, user_id: int, chat_id: int, now: datetime) -> Citizen:
        row = await self._db.pool.fetchrow(
            "INSERT INTO citizens (user_id, chat_id, created_at, updated_at)"
            " VALUES ($1, $2, $3, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id RETURNING *",
            user_id,
            chat_id,
            utc(now),
        )
        return _citizen(row)

    async def change_phone(
        self, user_id: int, chat_id: int, phone: str, now: datetime
    ) -> str | None:
        stamp = utc(now)
        async with self._db.transaction() as connection:
            # The row exists and is locked before it is read: a concurrent change of the
            # same citizen waits, then finds this one's number to put in history.
            await connection.execute(
                "INSERT INTO citizens (user_id, chat_id, created_at, updated_at)"
                " VALUES ($1, $2, $3, $3) ON CONFLICT (user_id) DO NOTHING",
                user_id,
                chat_id,
                stamp,
            )
            row = await connection.fetchrow(
                "SELECT phone, phone_verified_at FROM citizens WHERE user_id = $1 FOR UPDATE",
                user_id,
            )
            previous = row["phone"]
            if previous is not None and previous != phone:
                await connection.execute(
                    "INSERT INTO phone_history (user_id, phone, verified_at, replaced_at)"
                    " VALUES ($1, $2, $3, $4)",
                    user_id,
                    previous,
                    row["phone_verified_at"],
                    stamp,
                )
            await connection.execute(
                "UPDATE citizens SET chat_id = $2, phone = $3, phone_verified_at = $4,"
                " updated_at = $4 WHERE user_id = $1",
                user_id,
                chat_id,
                phone,
                stamp,
            )
        return previous if previous != phone else None

    async def phone_history(self, user_id: int) -> list[PhoneHistoryEntry]:
        rows = await self._db.pool.fetch(
            "SELECT phone, verified_at, replaced_at FROM phone_history"
            " WHERE user_id = $1 ORDER BY replaced_at, id",
            user_id,
        )
        return [
            PhoneHistoryEntry(
                phone=row["phone"], verified_at=row["verified_at"], replaced_at=row["replaced_at"]
            )
            for row in rows
        ]


def _citizen(row: Record) -> Citizen:
    return Citizen(
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        phone=row["phone"],
        phone_verified_at=row["phone_verified_at"],
        created_at=row["created_at"],
    )
