"""Consents to the processing of personal data, by version of the consent text."""

from __future__ import annotations

from datetime import datetime

from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import to_db


class SQLiteConsentRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def has(self, user_id: int, version: str) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM consents WHERE user_id = ? AND version = ?", (user_id, version)
        )
        return row is not None

    async def give(self, user_id: int, version: str, now: datetime) -> None:
        # Agreeing twice to one version keeps the first moment: that is when it was given.
        await self._db.execute(
            "INSERT INTO consents (user_id, version, given_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, version) DO NOTHING",
            (user_id, version, to_db(now)),
        )
