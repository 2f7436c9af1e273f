from __future__ import annotations

from datetime import datetime

from storage.sqlite.database import Database
from storage.sqlite.timefmt import to_db


class SQLiteProcessedUpdates:
    """Which update ids were taken, by which process run, and whether they finished."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, bot_id: int, update_id: int, run_id: str, now: datetime) -> bool:
        """True if this run should handle the update.

        An update is handled again only when the run that took it is gone
        without finishing it (the process died mid-update).
        """
        # One statement: a new id is inserted; a known one is taken over only
        # from another run that did not finish it. changes() tells which.
        return await self._db.execute_rowcount(
            "INSERT INTO processed_updates (bot_id, update_id, run_id, status, received_at)"
            " VALUES (?, ?, ?, 'started', ?)"
            " ON CONFLICT (bot_id, update_id) DO UPDATE SET run_id = excluded.run_id,"
            " status = 'started', received_at = excluded.received_at"
            " WHERE processed_updates.status != 'done'"
            " AND processed_updates.run_id != excluded.run_id",
            (bot_id, update_id, run_id, to_db(now)),
        ) == 1

    async def finish(self, bot_id: int, update_id: int) -> None:
        # Shares the commit of the FSM writes of concurrent updates.
        await self._db.commit_grouped([(
            "UPDATE processed_updates SET status = 'done' WHERE bot_id = ? AND update_id = ?",
            (bot_id, update_id),
        )])

    async def prune(self, older_than: datetime) -> int:
        async with self._db.transaction() as tx:
            return await tx.execute_rowcount(
                "DELETE FROM processed_updates WHERE received_at < ?", (to_db(older_than),)
            )
