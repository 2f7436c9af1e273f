"""The citizen's right to erasure, and the retention period for closed appeals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.models import ErasureReason
from bot.services.desk import OutboxSignal

logger = logging.getLogger(__name__)

SMS_OUTBOX_FIELD = "sms_outbox"  # the name the destruction record gives the SMS file's lines
# The name it gives dialogue state, kept in the database (fsm_sessions) or in Redis.
DIALOGUE_STATE_FIELD = "dialogue_state"


class PrivacyRepository(Protocol):
    async def citizen_phones(self, user_id: int) -> set[str]: ...

    async def erase_citizen(
        self, user_id: int, now: datetime, erased_elsewhere: Collection[str] = ()
    ) -> int: ...

    async def erase_closed_before(self, cutoff: datetime, now: datetime) -> int: ...

    async def record_erasure(
        self, reason: ErasureReason, fields: Collection[str], now: datetime
    ) -> None: ...


class SessionMemory(Protocol):
    """Dialogue state kept beside the database: the SQLite FSM storage's recent rows, or Redis."""

    async def holds_user(self, user_id: int) -> bool:
        """Whether state of the user's is kept here and not in the database (Redis), so that
        the destruction record names it as it names the database's ``fsm_sessions`` rows."""
        ...

    async def forget_user(self, user_id: int) -> None: ...


class SmsCopies(Protocol):
    """Copies of the SMS sent, kept beside the database (the outbox gateway's file)."""

    async def erase_phones(self, phones: Collection[str]) -> int: ...

    async def erase_sent_before(self, moment: datetime) -> int: ...


class PrivacyService:
    def __init__(
        self,
        repository: PrivacyRepository,
        clock: Clock,
        retention_days: int,
        sessions: SessionMemory | None = None,
        outbox: OutboxSignal | None = None,
        sms_copies: SmsCopies | None = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._sessions = sessions
        self._outbox = outbox
        self._sms_copies = sms_copies
        self.retention = timedelta(days=retention_days)

    async def forget(self, user_id: int) -> int:
        elsewhere = []
        if self._sms_copies is not None:
            # Before the database: its rows are what tells which numbers are the citizen's,
            # so a failure here leaves everything in place for the citizen to try again.
            phones = await self._repository.citizen_phones(user_id)
            if await self._sms_copies.erase_phones(phones):
                elsewhere.append(SMS_OUTBOX_FIELD)
        if self._sessions is not None and await self._sessions.holds_user(user_id):
            elsewhere.append(DIALOGUE_STATE_FIELD)  # erased below, once the rows are gone
        erased = await self._repository.erase_citizen(user_id, self._clock.now(), elsewhere)
        if self._sessions is not None:
            await self._sessions.forget_user(user_id)  # the rows are gone: no copy may outlive them
        if self._outbox is not None:
            self._outbox.notify()  # the erased cards and the deletions in the operators' chat
        logger.info("Personal data of a citizen erased on request (%s appeals)", erased)
        return erased

    async def apply_retention(self) -> int:
        now = self._clock.now()
        erased = await self._repository.erase_closed_before(now - self.retention, now)
        if erased:
            logger.info("Retention: personal data of %s closed appeals erased", erased)
        if self._sms_copies is not None:
            removed = await self._sms_copies.erase_sent_before(now - self.retention)
            if removed:
                await self._repository.record_erasure(
                    ErasureReason.RETENTION, [SMS_OUTBOX_FIELD], now
                )
                logger.info("Retention: %s SMS older than the retention period erased", removed)
        return erased


RETENTION_JOB = "retention"
# A job's name -> a lock held while the block runs; the block gets whether this process
# holds it (another process running the same job makes this one skip its turn).
OncePerCluster = Callable[[str], AbstractAsyncContextManager[bool]]


class RetentionJob:
    """Runs the retention erasure at start-up and then once a day."""

    def __init__(
        self,
        privacy: PrivacyService,
        period: timedelta = timedelta(days=1),
        once_per_cluster: OncePerCluster | None = None,
    ) -> None:
        """``once_per_cluster``: the lock that makes one process of several run each turn."""
        self._privacy = privacy
        self._period = period
        self._once = once_per_cluster
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                if self._once is None:
                    await self._privacy.apply_retention()
                else:
                    async with self._once(RETENTION_JOB) as holding:
                        if holding:  # else another process is running this turn
                            await self._privacy.apply_retention()
            except Exception:
                logger.exception("Retention run failed")
            await asyncio.sleep(self._period.total_seconds())
