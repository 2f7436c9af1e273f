from __future__ import annotations

from datetime import datetime

from bot.domain.models import ReplyTemplate
from bot.storage.shared import title_key
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import to_db


class SQLiteTemplateRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self, title: str, text: str, created_by: int | None, now: datetime
    ) -> ReplyTemplate | None:
        row = await self._db.fetchone(
            "INSERT INTO reply_templates (title, title_key, text, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (title_key) DO NOTHING RETURNING id",
            (title, title_key(title), text, created_by, to_db(now)),
        )
        return None if row is None else ReplyTemplate(row[0], title, text)

    async def delete(self, title: str) -> bool:
        row = await self._db.fetchone(
            "DELETE FROM reply_templates WHERE title_key = ? RETURNING id", (title_key(title),)
        )
        return row is not None

    async def all(self) -> list[ReplyTemplate]:
        rows = await self._db.fetchall(
            "SELECT id, title, text FROM reply_templates ORDER BY title_key"
        )
        return [ReplyTemplate(*row) for row in rows]

    async def get(self, template_id: int) -> ReplyTemplate | None:
        row = await self._db.fetchone(
            "SELECT id, title, text FROM reply_templates WHERE id = ?", (template_id,)
        )
        return None if row is None else ReplyTemplate(*row)
