from __future__ import annotations

from datetime import datetime

from bot.domain.models import ReplyTemplate
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import utc
from bot.storage.shared import title_key


class PostgresTemplateRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def add(
        self, title: str, text: str, created_by: int | None, now: datetime
    ) -> ReplyTemplate | None:
        template_id = await self._db.pool.fetchval(
            "INSERT INTO reply_templates (title, title_key, text, created_by, created_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (title_key) DO NOTHING RETURNING id",
            title,
            title_key(title),
            text,
            created_by,
            utc(now),
        )
        return None if template_id is None else ReplyTemplate(template_id, title, text)

    async def delete(self, title: str) -> bool:
        deleted = await self._db.pool.fetchval(
            "DELETE FROM reply_templates WHERE title_key = $1 RETURNING id", title_key(title)
        )
        return deleted is not None

    async def all(self) -> list[ReplyTemplate]:
        # In code point order, as SQLite sorts text, whatever the database's collation.
        rows = await self._db.pool.fetch(
            'SELECT id, title, text FROM reply_templates ORDER BY title_key COLLATE "C"'
        )
        return [ReplyTemplate(*row) for row in rows]

    async def get(self, template_id: int) -> ReplyTemplate | None:
        row = await self._db.pool.fetchrow(
            "SELECT id, title, text FROM reply_templates WHERE id = $1", template_id
        )
        return None if row is None else ReplyTemplate(*row)
