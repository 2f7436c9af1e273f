from __future__ import annotations

import asyncio
from datetime import datetime

from bot.storage.sqlite.batching import Batches, settle
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import to_db

# One statement claims a batch: a new id is inserted; a known one is taken over
# only from another run that did not finish it. RETURNING names the ids taken.
# The update itself is kept with its claim, in the same commit (the inbox).
_CLAIM_ROW = "(?, ?, ?, 'started', ?, ?)"
_CLAIM = (
    "INSERT INTO processed_updates (bot_id, update_id, run_id, status, received_at, payload)"
    " VALUES {rows}"
    " ON CONFLICT (bot_id, update_id) DO UPDATE SET run_id = excluded.run_id,"
    " status = 'started', received_at = excluded.received_at, payload = excluded.payload"
    " WHERE processed_updates.status != 'done'"
    " AND processed_updates.run_id != excluded.run_id"
    " RETURNING bot_id, update_id"
)
_CLAIMS_PER_STATEMENT = 400  # 5 parameters each, well under SQLite's limit

UpdateKey = tuple[int, int]  # bot id, update id
_Claim = tuple[UpdateKey, str, str, str]  # key, run id, received at, the update's JSON


class SQLiteProcessedUpdates:
    """Which update ids were taken, by which process run, and whether they finished.

    Claims of updates that arrive together share one statement (one trip to
    the database thread instead of one each), the way their writes share a
    group commit.
    """

    def __init__(self, database: Database) -> None:
        self._db = database
        self._claims: Batches[_Claim, bool] = Batches(self._claim_batch, most=_CLAIMS_PER_STATEMENT)

    async def claim(
        self, bot_id: int, update_id: int, run_id: str, now: datetime, payload: str
    ) -> bool:
        """True if this run should handle the update; committed, with ``payload``, when it returns.

        An update is handled again only when the run that took it is gone
        without finishing it (the process died mid-update).
        """
        return await self._claims.submit(((bot_id, update_id), run_id, to_db(now), payload))

    async def _claim_batch(self, batch: list[tuple[_Claim, asyncio.Future[bool]]]) -> None:
        first: dict[UpdateKey, _Claim] = {}
        for claim, _ in batch:
            first.setdefault(claim[0], claim)
        params = [
            value
            for key, run_id, stamp, payload in first.values()
            for value in (*key, run_id, stamp, payload)
        ]
        rows = ", ".join([_CLAIM_ROW] * len(first))
        taken = {
            (row[0], row[1]) for row in await self._db.fetchall(_CLAIM.format(rows=rows), params)
        }
        for claim, waiting in batch:
            # A second copy of an id in one batch is a duplicate in this run.
            settle(waiting, first[claim[0]] is claim and claim[0] in taken)

    async def finish(self, bot_id: int, update_id: int) -> None:
        # Shares the commit of the FSM writes of concurrent updates. The update's
        # JSON holds what the citizen wrote: it goes as soon as it is not needed.
        await self._db.commit_grouped(
            [
                (
                    (
                        "UPDATE processed_updates SET status = 'done', payload = NULL"
                        " WHERE bot_id = ? AND update_id = ?"
                    ),
                    (bot_id, update_id),
                )
            ]
        )

    async def renew(self, run_id: str, now: datetime) -> int:
        """Nothing to renew: with one process on the file, every other run is gone."""
        return 0

    async def unfinished(self, bot_id: int, now: datetime | None = None) -> list[tuple[int, str]]:
        """Updates taken by runs that died before finishing them: (id, JSON), oldest first.

        ``now`` is PostgreSQL's (leases); on SQLite every other run is gone."""
        rows = await self._db.fetchall(
            "SELECT update_id, payload FROM processed_updates"
            " WHERE bot_id = ? AND status = 'started' AND payload IS NOT NULL"
            " ORDER BY update_id",
            (bot_id,),
        )
        return [(row[0], row[1]) for row in rows]

    async def prune(self, older_than: datetime) -> int:
        """Forget the update ids taken before ``older_than``; how many. The appeals those
        updates filed are forgotten with them (``appeal_filings``): such an update is never
        handled again."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM appeal_filings WHERE filed_at < ?", (to_db(older_than),))
            return await tx.execute_rowcount(
                "DELETE FROM processed_updates WHERE received_at < ?", (to_db(older_than),)
            )
