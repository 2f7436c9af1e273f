from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.models import Citizen, PhoneHistoryEntry
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import from_db, from_db_optional, to_db


class SQLiteCitizenRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, user_id: int) -> Citizen | None:
        row = await self._db.fetchone("SELECT * FROM citizens WHERE user_id = ?", (user_id,))
        return None if row is None else _citizen(row)

    async def ensure(self, user_id: int, chat_id: int, now: datetime) -> Citizen:
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO citizens (user_id, chat_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id",
                (user_id, chat_id, stamp, stamp),
            )
            row = await tx.fetchone("SELECT * FROM citizens WHERE user_id = ?", (user_id,))
        assert row is not None
        return _citizen(row)

    async def change_phone(
        self, user_id: int, chat_id: int, phone: str, now: datetime
    ) -> str | None:
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT phone, phone_verified_at FROM citizens WHERE user_id = ?", (user_id,)
            )
            previous = row["phone"] if row is not None else None
            if row is not None and previous is not None and previous != phone:
                await tx.execute(
                    "INSERT INTO phone_history (user_id, phone, verified_at, replaced_at)"
                    " VALUES (?, ?, ?, ?)",
                    (user_id, previous, row["phone_verified_at"], stamp),
                )
            await tx.execute(
                "INSERT INTO citizens"
                " (user_id, chat_id, phone, phone_verified_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " phone = excluded.phone, phone_verified_at = excluded.phone_verified_at,"
                " updated_at = excluded.updated_at",
                (user_id, chat_id, phone, stamp, stamp, stamp),
            )
        return previous if previous != phone else None

    async def phone_history(self, user_id: int) -> list[PhoneHistoryEntry]:
        rows = await self._db.fetchall(
            "SELECT phone, verified_at, replaced_at FROM phone_history"
            " WHERE user_id = ? ORDER BY replaced_at, id",
            (user_id,),
        )
        return [
            PhoneHistoryEntry(
                phone=row["phone"],
                verified_at=from_db_optional(row["verified_at"]),
                replaced_at=from_db(row["replaced_at"]),
            )
            for row in rows
        ]


def _citizen(row: sqlite3.Row) -> Citizen:
    return Citizen(
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        phone=row["phone"],
        phone_verified_at=from_db_optional(row["phone_verified_at"]),
        created_at=from_db(row["created_at"]),
    )
