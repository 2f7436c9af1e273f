"""Consents to the processing of personal data, by version of the consent text."""

from __future__ import annotations

from datetime import datetime

from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import utc


class PostgresConsentRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def has(self, user_id: int, version: str) -> bool:
        row = await self._db.pool.fetchrow(
            "SELECT 1 FROM consents WHERE user_id = $1 AND version = $2", user_id, version
        )
        return row is not None

    async def give(self, user_id: int, version: str, now: datetime) -> None:
        # Agreeing twice to one version keeps the first moment: that is when it was given.
        await self._db.pool.execute(
            "INSERT INTO consents (user_id, version, given_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id, version) DO NOTHING",
            user_id,
            version,
            utc(now),
        )
