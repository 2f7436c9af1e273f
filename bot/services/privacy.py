"""The citizen's right to erasure, and the retention period for closed appeals."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Protocol

from bot.services.clock import Clock
from bot.services.desk import OutboxSignal

logger = logging.getLogger(__name__)


class PrivacyRepository(Protocol):
    async def erase_citizen(self, user_id: int, now: datetime) -> int: ...

    async def erase_closed_before(self, cutoff: datetime, now: datetime) -> int: ...


class SessionMemory(Protocol):
    """Dialogue state kept in memory beside the database (the FSM storage's recent rows)."""

    def forget_user(self, user_id: int) -> None: ...


class PrivacyService:
    def __init__(self, repository: PrivacyRepository, clock: Clock, retention_days: int,
                 sessions: SessionMemory | None = None,
                 outbox: OutboxSignal | None = None) -> None:
        self._repository = repository
        self._clock = clock
        self._sessions = sessions
        self._outbox = outbox
        self.retention = timedelta(days=retention_days)

    async def forget(self, user_id: int) -> int:
        erased = await self._repository.erase_citizen(user_id, self._clock.now())
        if self._sessions is not None:
            self._sessions.forget_user(user_id)  # the rows are gone: no copy may outlive them
        if self._outbox is not None:
            self._outbox.notify()  # the erased cards and the deletions in the operators' chat
        logger.info("Personal data of a citizen erased on request (%s appeals)", erased)
        return erased

    async def apply_retention(self) -> int:
        now = self._clock.now()
        erased = await self._repository.erase_closed_before(now - self.retention, now)
        if erased:
            logger.info("Retention: personal data of %s closed appeals erased", erased)
        return erased


class RetentionJob:
    """Runs the retention erasure at start-up and then once a day."""

    def __init__(self, privacy: PrivacyService, period: timedelta = timedelta(days=1)) -> None:
        self._privacy = privacy
        self._period = period
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._privacy.apply_retention()
            except Exception:  # noqa: BLE001 - a failed run must not stop the next ones
                logger.exception("Retention run failed")
            await asyncio.sleep(self._period.total_seconds())
