from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.models import (
    Appeal,
    AppealChange,
    AppealMessage,
    AppealStatus,
    MessageAuthor,
    NewAppeal,
    UpdateRef,
)
from bot.storage.shared import format_appeal_number
from bot.storage.sqlite.changes import apply_change
from bot.storage.sqlite.database import Database, Transaction
from bot.storage.sqlite.rows import APPEAL_COLUMNS, SELECT_APPEALS, appeal_from_row, load_appeal
from bot.storage.sqlite.timefmt import from_db, to_db

BY_NUMBER = f"{SELECT_APPEALS} WHERE appeals.number = ?"
COUNT_FOR_CITIZEN = "SELECT COUNT(*) FROM appeals WHERE citizen_id = ?"
PAGE_FOR_CITIZEN = (
    f"{SELECT_APPEALS} WHERE citizen_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
)
HISTORY = "SELECT * FROM appeal_messages WHERE appeal_id = ? ORDER BY created_at, id"
FILED_BY = (
    f"SELECT {APPEAL_COLUMNS} FROM appeal_filings"
    " JOIN appeals ON appeals.id = appeal_filings.appeal_id"
    " WHERE appeal_filings.bot_id = ? AND appeal_filings.update_id = ?"
)


class SQLiteAppealRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(
        self,
        appeal: NewAppeal,
        now: datetime,
        follow_up: Callable[[Appeal], AppealChange] | None = None,
    ) -> Appeal:
        async with self._db.transaction() as tx:
            filed = await filed_appeal(tx, appeal.filed_by)
            if filed is not None:
                return filed
            return await insert_appeal(tx, appeal, now, follow_up)

    async def filed_by(self, update: UpdateRef) -> Appeal | None:
        return await filed_appeal(self._db, update)

    async def get_by_number(self, number: str) -> Appeal | None:
        row = await self._db.fetchone(BY_NUMBER, (number,))
        return None if row is None else appeal_from_row(row)

    async def list_for_citizen(self, citizen_id: int, limit: int, offset: int) -> list[Appeal]:
        rows = await self._db.fetchall(PAGE_FOR_CITIZEN, (citizen_id, limit, offset))
        return [appeal_from_row(row) for row in rows]

    async def count_for_citizen(self, citizen_id: int) -> int:
        row = await self._db.fetchone(COUNT_FOR_CITIZEN, (citizen_id,))
        return int(row[0]) if row is not None else 0

    async def add_message(
        self,
        appeal_id: int,
        author: MessageAuthor,
        author_id: int | None,
        text: str,
        now: datetime,
    ) -> AppealMessage:
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            message_id = await tx.execute(
                "INSERT INTO appeal_messages (appeal_id, author, author_id, text, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (appeal_id, author, author_id, text, stamp),
            )
            await tx.execute("UPDATE appeals SET updated_at = ? WHERE id = ?", (stamp, appeal_id))
        return AppealMessage(
            id=message_id,
            appeal_id=appeal_id,
            author=author,
            author_id=author_id,
            text=text,
            created_at=from_db(stamp),
        )

    async def messages(self, appeal_id: int) -> list[AppealMessage]:
        rows = await self._db.fetchall(HISTORY, (appeal_id,))
        return [
            AppealMessage(
                id=row["id"],
                appeal_id=row["appeal_id"],
                author=MessageAuthor(row["author"]),
                author_id=row["author_id"],
                text=row["text"],
                created_at=from_db(row["created_at"]),
            )
            for row in rows
        ]


async def insert_appeal(
    tx: Transaction,
    appeal: NewAppeal,
    now: datetime,
    follow_up: Callable[[Appeal], AppealChange] | None = None,
    before_follow_up: Callable[[Transaction, int], Awaitable[None]] | None = None,
) -> Appeal:
    """Store the appeal inside an open transaction (see ``AppealRepository.create``).

    ``before_follow_up`` stores what belongs to the new appeal (by its id) before
    the follow-up change reads it. The update that files it, if named, is recorded with
    it: the caller has looked it up first (:func:`filed_appeal`).
    """
    stamp = to_db(now)
    row = await tx.fetchone(
        "INSERT INTO appeal_sequences (year, last_value) VALUES (?, 1)"
        " ON CONFLICT (year) DO UPDATE SET last_value = last_value + 1"
        " RETURNING last_value",
        (now.year,),
    )
    assert row is not None
    number = format_appeal_number(now.year, row[0])
    appeal_id = await tx.execute(
        "INSERT INTO appeals"
        " (number, citizen_id, chat_id, type, status, fields, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            number,
            appeal.citizen_id,
            appeal.chat_id,
            appeal.type,
            AppealStatus.NEW,
            json.dumps(appeal.fields, ensure_ascii=False),
            stamp,
            stamp,
        ),
    )
    if appeal.filed_by is not None:
        await tx.execute(
            "INSERT INTO appeal_filings (bot_id, update_id, appeal_id, filed_at)"
            " VALUES (?, ?, ?, ?)",
            (appeal.filed_by.bot_id, appeal.filed_by.update_id, appeal_id, stamp),
        )
    await tx.executemany(
        "INSERT INTO appeal_attachments"
        " (appeal_id, kind, file_id, file_unique_id, file_name, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (appeal_id, item.kind, item.file_id, item.file_unique_id, item.file_name, stamp)
            for item in appeal.attachments
        ],
    )
    if before_follow_up is not None:
        await before_follow_up(tx, appeal_id)
    created = await load_appeal(tx, appeal_id)
    assert created is not None
    if follow_up is not None:
        changed = await apply_change(tx, follow_up(created), stamp)
        assert changed is not None, "a follow-up of a new appeal has no guards to fail"
        created = changed
    return created


async def filed_appeal(reader: Database | Transaction, update: UpdateRef | None) -> Appeal | None:
    """The appeal ``update`` filed already, if it did (it is being handled again)."""
    if update is None:
        return None
    row = await reader.fetchone(FILED_BY, (update.bot_id, update.update_id))
    return None if row is None else appeal_from_row(row)
