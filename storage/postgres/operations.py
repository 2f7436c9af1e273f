"""What the people who run the bot watch in PostgreSQL: backlogs and open appeals.

The same snapshot as :mod:`bot.storage.sqlite.operations`, read from the shared database:
every process of a cluster reports the same figures (combine them with ``max``).
"""

from __future__ import annotations

from bot.domain.models import AppealStatus, OutboxStatus
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.sqlite.operations import Backlog, OperationsSnapshot

# By recipient, as SQLite's: the payload's "to" (the supervisors' chat), else the audience.
_OUTBOX = (
    "SELECT COALESCE(payload->>'to', audience) AS recipient,"
    " COUNT(*) AS backlog, MIN(created_at) AS oldest FROM outbox"
    " WHERE status = $1 GROUP BY recipient"
)
_OPEN_APPEALS = "SELECT status, COUNT(*) AS count FROM appeals WHERE status <> $1 GROUP BY status"
_INBOX = (
    "SELECT COUNT(*) AS backlog, MIN(received_at) AS oldest FROM processed_updates"
    " WHERE status = 'started'"
)


class PostgresOperationsRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database

    async def snapshot(self) -> OperationsSnapshot:
        async with self._database.reading() as connection:
            outbox = await connection.fetch(_OUTBOX, OutboxStatus.PENDING.value)
            appeals = await connection.fetch(_OPEN_APPEALS, AppealStatus.CLOSED.value)
            inbox = await connection.fetchrow(_INBOX)
        return OperationsSnapshot(
            outbox={row["recipient"]: Backlog(row["backlog"], row["oldest"]) for row in outbox},
            open_appeals={row["status"]: row["count"] for row in appeals},
            inbox=(
                Backlog(inbox["backlog"], inbox["oldest"])
                if inbox is not None and inbox["backlog"]
                else Backlog(0, None)
            ),
        )
