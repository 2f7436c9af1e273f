"""Deadlines of open appeals: the periodic check, escalation, and what cards and /overdue show.

The check is safe in several processes at once: every mark (at risk, breached) is left
by one INSERT that only one of them wins (:class:`DeadlineRepository`), and that one
queues the card update and the supervisors' message in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.deadlines import (
    MARKED_STATES,
    AppealDeadlines,
    Deadline,
    DeadlineMark,
    DeadlineState,
    SlaPolicy,
)
from bot.domain.models import (
    SYSTEM,
    Appeal,
    AppealChange,
    Audience,
    EventKind,
    NewEvent,
    NewOutboxMessage,
    OutboxKind,
)
from bot.services.desk import CARD_UPDATE, OutboxSignal
from bot.storage.repositories import DeadlineRepository, DeskRepository

logger = logging.getLogger(__name__)

# An outbox row for the supervisors' chat (SUPERVISORS_CHAT_ID), not the appeal's thread.
SUPERVISORS = "supervisors"


def supervisors_message(text: str) -> NewOutboxMessage:
    return NewOutboxMessage(
        Audience.OPERATORS,
        OutboxKind.MESSAGE,
        {"method": "sendMessage", "params": {"text": text}, "to": SUPERVISORS},
    )


EscalationText = Callable[[Appeal, Deadline, ZoneInfo], str]


class DeadlineService:
    def __init__(
        self,
        desk: DeskRepository,
        deadlines: DeadlineRepository,
        clock: Clock,
        signal: OutboxSignal,
        policy: SlaPolicy,
        *,
        supervisors_chat_id: int | None,
        escalation_text: EscalationText,
    ) -> None:
        """``escalation_text``: the supervisors' message about a breach
        (:func:`bot.rendering.operators.escalation_text`)."""
        self._escalation_text = escalation_text
        self._desk = desk
        self._deadlines = deadlines
        self._clock = clock
        self._signal = signal
        self.policy = policy
        self._supervisors_chat_id = supervisors_chat_id

    @property
    def enabled(self) -> bool:
        return bool(self.policy.first_response or self.policy.legal_types)

    async def of(self, appeal: Appeal) -> AppealDeadlines:
        """For a card: the deadlines now and the marks left."""
        deadlines = self.policy.deadlines(appeal, self._clock.now())
        marks = await self._deadlines.marks([appeal.id]) if deadlines else []
        return AppealDeadlines(appeal, deadlines, marks, self._supervisors_chat_id is not None)

    async def overview(self, open_appeals: list[Appeal] | None = None) -> list[AppealDeadlines]:
        """Open appeals with a deadline breached or at risk: breached first, then by due.

        ``open_appeals``: already read by the caller (the dashboard), not read again."""
        now = self._clock.now()
        if open_appeals is None:
            open_appeals = await self._desk.open_appeals()
        found = [
            AppealDeadlines(appeal, deadlines, [], self._supervisors_chat_id is not None)
            for appeal in open_appeals
            if (deadlines := self.policy.deadlines(appeal, now))
        ]
        found = [item for item in found if item.breached or item.at_risk]
        marks = await self._deadlines.marks([item.appeal.id for item in found])
        by_appeal: dict[int, list[DeadlineMark]] = {}
        for mark in marks:
            by_appeal.setdefault(mark.appeal_id, []).append(mark)
        found = [
            AppealDeadlines(
                item.appeal,
                item.deadlines,
                by_appeal.get(item.appeal.id, []),
                item.supervisors_told,
            )
            for item in found
        ]
        return sorted(
            found,
            key=lambda item: (not item.breached, min(d.due for d in item.deadlines if d.open)),
        )

    async def check(self) -> int:
        """Leave the marks due now; return how many this process left."""
        if not self.enabled:
            return 0
        now = self._clock.now()
        candidates = [
            (appeal, deadlines)
            for appeal in await self._desk.open_appeals()
            if (
                deadlines := [
                    item
                    for item in self.policy.deadlines(appeal, now)
                    if item.state in MARKED_STATES
                ]
            )
        ]
        if not candidates:
            return 0
        left = {
            (mark.appeal_id, mark.deadline, mark.mark)
            for mark in await self._deadlines.marks([appeal.id for appeal, _ in candidates])
        }
        added = 0
        for appeal, deadlines in candidates:
            for deadline in deadlines:
                if (appeal.id, deadline.kind, deadline.state) in left:
                    continue
                change = self._change(appeal, deadline)
                if await self._deadlines.mark(
                    appeal.id, deadline.kind, deadline.state, now, change
                ):
                    added += 1
                    if deadline.state == DeadlineState.BREACHED:
                        logger.info(
                            "Appeal %s: %s deadline breached, escalated",
                            appeal.number,
                            deadline.kind,
                        )
        if added:
            self._signal.notify()
        return added

    def _change(self, appeal: Appeal, deadline: Deadline) -> AppealChange:
        if deadline.state == DeadlineState.AT_RISK:
            return AppealChange(appeal.id, outbox=(CARD_UPDATE,))
        outbox = [CARD_UPDATE]
        if self._supervisors_chat_id is not None:
            outbox.append(
                supervisors_message(self._escalation_text(appeal, deadline, self.policy.zone))
            )
        return AppealChange(
            appeal.id,
            events=(NewEvent(EventKind.DEADLINE_BREACHED, SYSTEM, text=deadline.kind.value),),
            outbox=tuple(outbox),
        )


class PeriodicJob:
    """Runs ``work`` at start-up and then every ``period``; a failed run is logged and the
    next one comes as usual. Used for the deadline check and for closing idle appeals."""

    def __init__(self, name: str, work: Callable[[], Awaitable[object]], period: timedelta) -> None:
        self._name = name
        self._work = work
        self._period = period
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._work()
            except Exception:
                logger.exception("Periodic job %s failed", self._name)
            await asyncio.sleep(self._period.total_seconds())
