"""What the people who run the bot watch in the database: backlogs and open appeals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.models import AppealStatus, OutboxStatus
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.timefmt import from_db

# A row's recipient: the one its payload names (``"to"``: the supervisors' chat), else its
# audience. Never the chat id: that is a person's, and one series per chat would not end.
_OUTBOX = (
    "SELECT COALESCE(json_extract(payload, '$.to'), audience) AS recipient,"
    " COUNT(*) AS backlog, MIN(created_at) AS oldest FROM outbox"
    " WHERE status = ? GROUP BY recipient"
)
_OPEN_APPEALS = "SELECT status, COUNT(*) AS count FROM appeals WHERE status != ? GROUP BY status"
_INBOX = (
    "SELECT COUNT(*) AS backlog, MIN(received_at) AS oldest FROM processed_updates"
    " WHERE status = 'started'"
)


@dataclass(frozen=True)
class Backlog:
    size: int
    oldest: datetime | None


@dataclass(frozen=True)
class OperationsSnapshot:
    outbox: dict[str, Backlog] = field(default_factory=dict)  # by recipient (see _OUTBOX)
    open_appeals: dict[str, int] = field(default_factory=dict)  # by status
    inbox: Backlog = Backlog(0, None)


class SQLiteOperationsRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def snapshot(self) -> OperationsSnapshot:
        async with self._database.reading() as reading:
            outbox = await reading.fetchall(_OUTBOX, (OutboxStatus.PENDING,))
            appeals = await reading.fetchall(_OPEN_APPEALS, (AppealStatus.CLOSED,))
            inbox = await reading.fetchone(_INBOX)
        return OperationsSnapshot(
            outbox={
                row["recipient"]: Backlog(row["backlog"], from_db(row["oldest"])) for row in outbox
            },
            open_appeals={row["status"]: row["count"] for row in appeals},
            inbox=(
                Backlog(inbox["backlog"], from_db(inbox["oldest"]))
                if inbox is not None and inbox["backlog"]
                else Backlog(0, None)
            ),
        )
