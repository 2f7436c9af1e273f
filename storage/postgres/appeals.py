"""Appeals on PostgreSQL: filing with a number from the year's counter, lookups, history.

An appeal's number comes from the year's row of ``appeal_sequences``, taken by an
upsert (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``) inside the filing's
transaction. The row stays locked until the filing commits, so of two processes
filing at once the second waits and gets the next number; a filing that rolls back
leaves the counter as it was. Numbers therefore never repeat and have no gaps, as
on SQLite (a sequence would give gaps on rollback, and one per year would have to
be created under concurrency). Filings of one year queue on that row for the few
milliseconds a filing's transaction lasts.

A filing names the update it is made for, recorded in ``appeal_filings`` in the same
transaction; filing again from that update (a process died before the citizen was told
the number, and another handles the update again) gives the appeal filed the first
time. Two processes handling one update at the same moment (a live one whose lease ran
out) both miss the other's row: the primary key lets the first commit, and the second,
rolled back whole (its number too), returns the first's appeal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from asyncpg import Connection, Pool, UniqueViolationError

from bot.domain.models import (
    Appeal,
    AppealChange,
    AppealMessage,
    AppealStatus,
    MessageAuthor,
    NewAppeal,
    UpdateRef,
)
from bot.storage.postgres.changes import apply_change
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.rows import APPEAL_COLUMNS, SELECT_APPEALS, appeal_from_row, load_appeal
from bot.storage.postgres.values import utc
from bot.storage.shared import format_appeal_number

NEXT_NUMBER = (
    "INSERT INTO appeal_sequences (year, last_value) VALUES ($1, 1)"
    " ON CONFLICT (year) DO UPDATE SET last_value = appeal_sequences.last_value + 1"
    " RETURNING last_value"
)
BY_NUMBER = f"{SELECT_APPEALS} WHERE number = $1"
COUNT_FOR_CITIZEN = "SELECT COUNT(*) FROM appeals WHERE citizen_id = $1"
PAGE_FOR_CITIZEN = (
    f"{SELECT_APPEALS} WHERE citizen_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
)
HISTORY = "SELECT * FROM appeal_messages WHERE appeal_id = $1 ORDER BY created_at, id"
FILED_BY = (
    f"SELECT {APPEAL_COLUMNS} FROM appeal_filings"
    " JOIN appeals ON appeals.id = appeal_filings.appeal_id"
    " WHERE appeal_filings.bot_id = $1 AND appeal_filings.update_id = $2"
)
RECORD_FILING = (
    "INSERT INTO appeal_filings (bot_id, update_id, appeal_id, filed_at) VALUES ($1, $2, $3, $4)"
)
FILINGS_KEY = "appeal_filings_pkey"


class PostgresAppealRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def create(
        self,
        appeal: NewAppeal,
        now: datetime,
        follow_up: Callable[[Appeal], AppealChange] | None = None,
    ) -> Appeal:
        try:
            async with self._db.transaction() as connection:
                filed = await filed_appeal(connection, appeal.filed_by)
                if filed is not None:
                    return filed
                return await insert_appeal(connection, appeal, now, follow_up)
        except UniqueViolationError as error:
            return await filed_meanwhile(self._db, appeal.filed_by, error)

    async def filed_by(self, update: UpdateRef) -> Appeal | None:
        return await filed_appeal(self._db.pool, update)

    async def get_by_number(self, number: str) -> Appeal | None:
        row = await self._db.pool.fetchrow(BY_NUMBER, number)
        return None if row is None else appeal_from_row(row)

    async def list_for_citizen(self, citizen_id: int, limit: int, offset: int) -> list[Appeal]:
        rows = await self._db.pool.fetch(PAGE_FOR_CITIZEN, citizen_id, limit, offset)
        return [appeal_from_row(row) for row in rows]

    async def count_for_citizen(self, citizen_id: int) -> int:
        return int(await self._db.pool.fetchval(COUNT_FOR_CITIZEN, citizen_id))

    async def add_message(
        self,
        appeal_id: int,
        author: MessageAuthor,
        author_id: int | None,
        text: str,
        now: datetime,
    ) -> AppealMessage:
        stamp = utc(now)
        async with self._db.transaction() as connection:
            message_id = await connection.fetchval(
                "INSERT INTO appeal_messages (appeal_id, author, author_id, text, created_at)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                appeal_id,
                author,
                author_id,
                text,
                stamp,
            )
            await connection.execute(
                "UPDATE appeals SET updated_at = $1 WHERE id = $2", stamp, appeal_id
            )
        return AppealMessage(
            id=message_id,
            appeal_id=appeal_id,
            author=author,
            author_id=author_id,
            text=text,
            created_at=stamp,
        )

    async def messages(self, appeal_id: int) -> list[AppealMessage]:
        return [
            AppealMessage(
                id=row["id"],
                appeal_id=row["appeal_id"],
                author=MessageAuthor(row["author"]),
                author_id=row["author_id"],
                text=row["text"],
                created_at=row["created_at"],
            )
            for row in await self._db.pool.fetch(HISTORY, appeal_id)
        ]


async def insert_appeal(
    connection: Connection,
    appeal: NewAppeal,
    now: datetime,
    follow_up: Callable[[Appeal], AppealChange] | None = None,
    before_follow_up: Callable[[Connection, int], Awaitable[None]] | None = None,
) -> Appeal:
    """Store the appeal inside an open transaction (see ``AppealRepository.create``).

    ``before_follow_up`` stores what belongs to the new appeal (by its id) before
    the follow-up change reads it. The update that files it, if named, is recorded with
    it: the caller has looked it up first (:func:`filed_appeal`), and catches the primary
    key's refusal (:func:`filed_meanwhile`).
    """
    stamp = utc(now)
    sequence = await connection.fetchval(NEXT_NUMBER, now.year)
    appeal_id = await connection.fetchval(
        "INSERT INTO appeals"
        " (number, citizen_id, chat_id, type, status, fields, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        format_appeal_number(now.year, sequence),
        appeal.citizen_id,
        appeal.chat_id,
        appeal.type,
        AppealStatus.NEW,
        appeal.fields,
        stamp,
    )
    if appeal.filed_by is not None:
        update = appeal.filed_by
        await connection.execute(RECORD_FILING, update.bot_id, update.update_id, appeal_id, stamp)
    await connection.executemany(
        "INSERT INTO appeal_attachments"
        " (appeal_id, kind, file_id, file_unique_id, file_name, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        [
            (appeal_id, item.kind, item.file_id, item.file_unique_id, item.file_name, stamp)
            for item in appeal.attachments
        ],
    )
    if before_follow_up is not None:
        await before_follow_up(connection, appeal_id)
    created = await load_appeal(connection, appeal_id)
    assert created is not None
    if follow_up is not None:
        changed = await apply_change(connection, follow_up(created), stamp)
        assert changed is not None, "a follow-up of a new appeal has no guards to fail"
        created = changed
    return created


async def filed_appeal(connection: Connection | Pool, update: UpdateRef | None) -> Appeal | None:
    """The appeal ``update`` filed already, if it did (it is being handled again)."""
    if update is None:
        return None
    row = await connection.fetchrow(FILED_BY, update.bot_id, update.update_id)
    return None if row is None else appeal_from_row(row)


async def filed_meanwhile(
    database: PostgresDatabase, update: UpdateRef | None, error: UniqueViolationError
) -> Appeal:
    """The appeal another process filed from the same update while this one was filing it
    (``appeal_filings``' key refused this filing, rolled back whole); other errors re-raised."""
    if update is None or error.constraint_name != FILINGS_KEY:
        raise error
    async with database.reading() as connection:
        filed = await filed_appeal(connection, update)
    if filed is None:
        raise error
    return filed
