"""Erasure of personal data on PostgreSQL: on the citizen's request and after retention.

The same erasure as :mod:`bot.storage.sqlite.privacy`: appeals stay (numbers, types,
statuses and dates), every collected value becomes «удалено», the profile, phone
history, codes, consents and dialogue state go, the desk is cleaned, and a
destruction record without personal data is written in the same transaction.
The appeals erased are locked first, so an erasure and a concurrent change of the
same appeal in another process happen one after the other, and two retention
passes never erase (and record) one appeal twice.

An UPDATE or DELETE in PostgreSQL leaves the old version of the row in the
table, invisible to queries but whole, until VACUUM removes it. After each
erasure the tables it touched are vacuumed (:meth:`PostgresDatabase.vacuum`):
the old versions stop being rows, their index entries go, and pages left empty
are cut off the file. Unlike SQLite's ``secure_delete``, PostgreSQL does not
zero what it frees: a value updated away on a page that keeps live rows was
still in the table's file after VACUUM and a checkpoint (tried on PostgreSQL
15), until the space is reused. The write-ahead log, and any WAL archive or
replica, keep old values until recycled. Bounding that is the deployment's
part: its WAL and backup retention, encryption at rest, or a periodic VACUUM FULL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from asyncpg import Connection, Record

from bot.domain.models import ERASED_VALUE as ERASED
from bot.domain.models import ErasureReason, ErasureRecord
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.desk_erasure import withdraw_from_desk
from bot.storage.postgres.values import utc

# Every table an erasure may change or delete rows of: vacuumed after it.
ERASED_TABLES = (
    "appeals",
    "appeal_attachments",
    "appeal_messages",
    "appeal_events",
    "callbacks",
    "outbox",
    "citizens",
    "phone_history",
    "verification_codes",
    "consents",
    "fsm_sessions",
)


class PostgresPrivacyRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def citizen_phones(self, user_id: int) -> set[str]:
        """Every number the citizen verified or was sent a code to."""
        rows = await self._db.pool.fetch(
            "SELECT phone FROM citizens WHERE user_id = $1 AND phone IS NOT NULL"
            " UNION SELECT phone FROM phone_history WHERE user_id = $1"
            " UNION SELECT phone FROM verification_codes WHERE user_id = $1",
            user_id,
        )
        return {row["phone"] for row in rows}

    async def erase_citizen(
        self, user_id: int, now: datetime, erased_elsewhere: Collection[str] = ()
    ) -> int:
        """Erase the citizen's profile, phone history, codes and appeal data; return appeals.

        ``erased_elsewhere``: names of what the caller erased outside the database,
        for the destruction record.
        """
        stamp = utc(now)
        async with self._db.transaction() as connection:
            rows = await connection.fetch(
                "SELECT id, number, fields FROM appeals WHERE citizen_id = $1"
                " ORDER BY id FOR UPDATE",
                user_id,
            )
            erased_fields = await _profile_fields_held(connection, user_id) | set(erased_elsewhere)
            erased_fields |= await _appeal_fields_held(connection, rows)
            await connection.execute("DELETE FROM phone_history WHERE user_id = $1", user_id)
            await connection.execute("DELETE FROM verification_codes WHERE user_id = $1", user_id)
            await connection.execute("DELETE FROM consents WHERE user_id = $1", user_id)
            await connection.execute(
                "UPDATE citizens SET phone = NULL, phone_verified_at = NULL, updated_at = $1"
                " WHERE user_id = $2",
                stamp,
                user_id,
            )
            await _erase_appeals(connection, rows, stamp)
            await withdraw_from_desk(
                connection, [row["id"] for row in rows], stamp, ErasureReason.REQUEST
            )
            # Nobody can call an erased number: its slots go back to other citizens.
            await connection.execute(
                "UPDATE callbacks SET status = 'cancelled', updated_at = $1"
                " WHERE status IN ('scheduled', 'not_reached')"
                " AND appeal_id = ANY($2::bigint[])",
                stamp,
                [row["id"] for row in rows],
            )
            await connection.execute("DELETE FROM fsm_sessions WHERE user_id = $1", user_id)
            await _record(connection, stamp, ErasureReason.REQUEST, rows, erased_fields)
        await self._db.vacuum(ERASED_TABLES)
        return len(rows)

    async def erase_closed_before(self, cutoff: datetime, now: datetime) -> int:
        """Erase appeals closed before ``cutoff`` and not erased yet; return how many."""
        stamp = utc(now)
        async with self._db.transaction() as connection:
            rows = await connection.fetch(
                "SELECT id, number, fields FROM appeals"
                " WHERE closed_at IS NOT NULL AND closed_at < $1 AND erased_at IS NULL"
                " ORDER BY id FOR UPDATE",
                utc(cutoff),
            )
            if rows:
                erased_fields = await _appeal_fields_held(connection, rows)
                await _erase_appeals(connection, rows, stamp)
                await withdraw_from_desk(
                    connection, [row["id"] for row in rows], stamp, ErasureReason.RETENTION
                )
                await _record(connection, stamp, ErasureReason.RETENTION, rows, erased_fields)
        if rows:
            await self._db.vacuum(ERASED_TABLES)
        return len(rows)

    async def record_erasure(
        self, reason: ErasureReason, fields: Collection[str], now: datetime
    ) -> None:
        """A destruction record for an erasure outside the database (the SMS outbox file)."""
        async with self._db.transaction() as connection:
            await _record(connection, utc(now), reason, [], set(fields))

    async def erasures_since(self, moment: datetime) -> list[ErasureRecord]:
        """The destruction records from ``moment`` on, oldest first."""
        rows = await self._db.pool.fetch(
            "SELECT erased_at, reason, appeals, fields FROM erasure_records"
            " WHERE erased_at >= $1 ORDER BY erased_at, id",
            utc(moment),
        )
        return [
            ErasureRecord(
                erased_at=row["erased_at"],
                reason=ErasureReason(row["reason"]),
                appeals=tuple(row["appeals"]),
                fields=tuple(row["fields"]),
            )
            for row in rows
        ]


async def _erase_appeals(connection: Connection, rows: Sequence[Record], stamp: datetime) -> None:
    ids = [row["id"] for row in rows]
    await connection.executemany(
        "UPDATE appeals SET fields = $1, erased_at = $2 WHERE id = $3",
        [({name: ERASED for name in row["fields"]}, stamp, row["id"]) for row in rows],
    )
    await connection.execute(
        "DELETE FROM appeal_attachments WHERE appeal_id = ANY($1::bigint[])", ids
    )
    await connection.execute(
        "UPDATE appeal_messages SET text = $1 WHERE appeal_id = ANY($2::bigint[])", ERASED, ids
    )
    # The operator desk's copies: outcome, rating comment, relayed texts and files.
    await connection.execute(
        "UPDATE appeals SET resolution = CASE WHEN resolution IS NULL THEN NULL ELSE $1 END,"
        " rating_comment = CASE WHEN rating_comment IS NULL THEN NULL ELSE $1 END"
        " WHERE id = ANY($2::bigint[])",
        ERASED,
        ids,
    )
    await connection.execute(
        "UPDATE callbacks SET result = CASE WHEN result IS NULL THEN NULL ELSE $1 END"
        " WHERE appeal_id = ANY($2::bigint[])",
        ERASED,
        ids,
    )
    await connection.execute(
        "UPDATE appeal_events SET text = CASE WHEN text IS NULL THEN NULL ELSE $1 END,"
        " content = NULL WHERE appeal_id = ANY($2::bigint[])",
        ERASED,
        ids,
    )
    await connection.execute(
        "UPDATE outbox SET payload = '{}' WHERE appeal_id = ANY($1::bigint[])"
        " AND status != 'pending'",
        ids,
    )


# --- the destruction record --------------------------------------------------------------
# Read before the erasure, in its transaction: the names of what held data, never a value.
# $1 is the array of the erased appeals' ids, $2 (where used) the erased value.

_IDS = "ANY($1::bigint[])"
_APPEAL_DATA = {
    "attachments": f"SELECT 1 FROM appeal_attachments WHERE appeal_id = {_IDS}",
    "comments": f"SELECT 1 FROM appeal_messages WHERE appeal_id = {_IDS} AND text != $2",
    "resolution": f"SELECT 1 FROM appeals WHERE id = {_IDS} AND resolution != $2",
    "rating_comment": f"SELECT 1 FROM appeals WHERE id = {_IDS} AND rating_comment != $2",
    "callback_result": f"SELECT 1 FROM callbacks WHERE appeal_id = {_IDS} AND result != $2",
    "relayed_messages": f"SELECT 1 FROM appeal_events WHERE appeal_id = {_IDS}"
    " AND (text != $2 OR content IS NOT NULL)",
    "outbox_payloads": f"SELECT 1 FROM outbox WHERE appeal_id = {_IDS}"
    " AND payload != '{}'::jsonb",
}
_PROFILE_DATA = {
    "phone": "SELECT 1 FROM citizens WHERE user_id = $1 AND phone IS NOT NULL",
    "phone_history": "SELECT 1 FROM phone_history WHERE user_id = $1",
    "verification_codes": "SELECT 1 FROM verification_codes WHERE user_id = $1",
    "dialogue_state": "SELECT 1 FROM fsm_sessions WHERE user_id = $1",
}


async def _profile_fields_held(connection: Connection, user_id: int) -> set[str]:
    return {
        name
        for name, query in _PROFILE_DATA.items()
        if await connection.fetchval(f"{query} LIMIT 1", user_id) is not None
    }


async def _appeal_fields_held(connection: Connection, rows: Sequence[Record]) -> set[str]:
    held = {name for row in rows for name, value in row["fields"].items() if value != ERASED}
    ids = [row["id"] for row in rows]
    for name, query in _APPEAL_DATA.items():
        params = (ids, ERASED) if "$2" in query else (ids,)
        if await connection.fetchval(f"{query} LIMIT 1", *params) is not None:
            held.add(name)
    return held


async def _record(
    connection: Connection,
    stamp: datetime,
    reason: ErasureReason,
    rows: Sequence[Record],
    fields: set[str],
) -> None:
    numbers = [row["number"] for row in sorted(rows, key=lambda row: row["id"])]
    await connection.execute(
        "INSERT INTO erasure_records (erased_at, reason, appeals, fields) VALUES ($1, $2, $3, $4)",
        stamp,
        reason,
        numbers,
        sorted(fields),
    )
