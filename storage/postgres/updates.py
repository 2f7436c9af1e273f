"""Update ids taken by bot processes, and the inbox of updates in flight, on PostgreSQL.

The same rules as :mod:`bot.storage.sqlite.updates`: a new id is claimed with the
update's JSON in the same commit; a known id is taken over only from another run
that did not finish it; finishing blanks the JSON. Each claim is one statement on
a connection of the pool (concurrent claims run side by side, so nothing is
gained by batching them as the single SQLite connection does).

Several live processes share these rows, so another run's update is taken over
only once its lease has run out: a run renews the leases of all its updates in
flight (:meth:`PostgresProcessedUpdates.renew`, a heartbeat) more often than they
last, so a live run keeps them and a dead one loses them after ``lease``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.values import changed_rows, utc

DEFAULT_LEASE = timedelta(seconds=30)
_LEASE_RAN_OUT = "(processed_updates.lease_until IS NULL OR processed_updates.lease_until <= $4)"
_CLAIM = (
    "INSERT INTO processed_updates"
    " (bot_id, update_id, run_id, status, received_at, payload, lease_until)"
    " VALUES ($1, $2, $3, 'started', $4, $5, $6)"
    " ON CONFLICT (bot_id, update_id) DO UPDATE SET run_id = excluded.run_id,"
    " status = 'started', received_at = excluded.received_at, payload = excluded.payload,"
    " lease_until = excluded.lease_until"
    " WHERE processed_updates.status != 'done'"
    " AND processed_updates.run_id != excluded.run_id"
    f" AND {_LEASE_RAN_OUT}"
    " RETURNING true"
)


class PostgresProcessedUpdates:
    """Which update ids were taken, by which process run, and whether they finished."""

    def __init__(self, database: PostgresDatabase, lease: timedelta = DEFAULT_LEASE) -> None:
        self._db = database
        self.lease = lease

    async def claim(
        self, bot_id: int, update_id: int, run_id: str, now: datetime, payload: str
    ) -> bool:
        """True if this run should handle the update; committed, with ``payload``, when it returns.

        An update is handled again only when the run that took it is gone
        without finishing it (the process died mid-update): its lease ran out.
        """
        stamp = utc(now)
        taken = await self._db.pool.fetchval(
            _CLAIM, bot_id, update_id, run_id, stamp, payload, stamp + self.lease
        )
        return taken is True

    async def renew(self, run_id: str, now: datetime) -> int:
        """Extend the lease of every update ``run_id`` has in flight; return how many."""
        return changed_rows(
            await self._db.pool.execute(
                "UPDATE processed_updates SET lease_until = $2"
                " WHERE run_id = $1 AND status = 'started'",
                run_id,
                utc(now) + self.lease,
            )
        )

    async def finish(self, bot_id: int, update_id: int) -> None:
        # The update's JSON holds what the citizen wrote: it goes as soon as it is not needed.
        await self._db.pool.execute(
            "UPDATE processed_updates SET status = 'done', payload = NULL"
            " WHERE bot_id = $1 AND update_id = $2",
            bot_id,
            update_id,
        )

    async def unfinished(self, bot_id: int, now: datetime | None = None) -> list[tuple[int, str]]:
        """Updates taken by runs that died before finishing them: (id, JSON), oldest first.

        ``now``: only those whose lease has run out by then (the others' runs are alive).
        """
        rows = await self._db.pool.fetch(
            "SELECT update_id, payload FROM processed_updates"
            " WHERE bot_id = $1 AND status = 'started' AND payload IS NOT NULL"
            " AND ($2::timestamptz IS NULL OR lease_until IS NULL OR lease_until <= $2)"
            " ORDER BY update_id",
            bot_id,
            None if now is None else utc(now),
        )
        return [(row[0], row[1]) for row in rows]

    async def prune(self, older_than: datetime) -> int:
        """Forget the update ids taken before ``older_than``; how many. The appeals those
        updates filed are forgotten with them (``appeal_filings``): such an update is never
        handled again."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "DELETE FROM appeal_filings WHERE filed_at < $1", utc(older_than)
            )
            return changed_rows(
                await connection.execute(
                    "DELETE FROM processed_updates WHERE received_at < $1", utc(older_than)
                )
            )
