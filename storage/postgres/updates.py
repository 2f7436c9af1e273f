"""Update ids taken by bot processes, and the inbox of updates in flight, on PostgreSQL.

The same rules as :mod:`bot.storage.sqlite.updates`: a new id is claimed with the
update's JSON in the same commit; a known id is taken over only from another run
that did not finish it; finishing blanks the JSON. Each claim is one statement on
a connection of the pool (concurrent claims run side by side, so nothing is
gained by batching them as the single SQLite connection does).

As on SQLite, a run id other than one's own is taken for a run that is gone.
With several live processes that is only true once the other run is known to
be dead; telling live runs from dead ones (a heartbeat per run) belongs to the
cluster's update intake, which is not built yet.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import changed_rows, utc

_CLAIM = (
    "INSERT INTO processed_updates (bot_id, update_id, run_id, status, received_at, payload)"
    " VALUES ($1, $2, $3, 'started', $4, $5)"
    " ON CONFLICT (bot_id, update_id) DO UPDATE SET run_id = excluded.run_id,"
    " status = 'started', received_at = excluded.received_at, payload = excluded.payload"
    " WHERE processed_updates.status != 'done'"
    " AND processed_updates.run_id != excluded.run_id"
    " RETURNING true"
)


class PostgresProcessedUpdates:
    """Which update ids were taken, by which process run, and whether they finished."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def claim(
        self, bot_id: int, update_id: int, run_id: str, now: datetime, payload: str
    ) -> bool:
        """True if this run should handle the update; committed, with ``payload``, when it returns.

        An update is handled again only when the run that took it is gone
        without finishing it (the process died mid-update).
        """
        taken = await self._db.pool.fetchval(_CLAIM, bot_id, update_id, run_id, utc(now), payload)
        return taken is True

    async def finish(self, bot_id: int, update_id: int) -> None:
        # The update's JSON holds what the citizen wrote: it goes as soon as it is not needed.
        await self._db.pool.execute(
            "UPDATE processed_updates SET status = 'done', payload = NULL"
            " WHERE bot_id = $1 AND update_id = $2",
            bot_id, update_id,
        )

    async def unfinished(self, bot_id: int) -> list[tuple[int, str]]:
        """Updates taken by runs that died before finishing them: (id, JSON), oldest first."""
        rows = await self._db.pool.fetch(
            "SELECT update_id, payload FROM processed_updates"
            " WHERE bot_id = $1 AND status = 'started' AND payload IS NOT NULL"
            " ORDER BY update_id",
            bot_id,
        )
        return [(row[0], row[1]) for row in rows]

    async def prune(self, older_than: datetime) -> int:
        return changed_rows(await self._db.pool.execute(
            "DELETE FROM processed_updates WHERE received_at < $1", utc(older_than)
        ))
