"""Filing appeals, finding them by number, listing and commenting.

Filing and commenting also queue what the operators must see (the card, the
attachments, the comment) in the same transaction, through the desk's outbox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.clock import Clock
from bot.domain.models import (
    Appeal,
    AppealMessage,
    AppealType,
    Attachment,
    NewAppeal,
    UpdateRef,
)
from bot.domain.templating import render
from bot.services.desk import OutboxSignal, citizen_relay_change, filing_change
from bot.services.events import NO_EVENTS, ServiceEvents
from bot.services.messages import MessageKind
from bot.services.relay import Content
from bot.storage.repositories import AppealRepository, DeskRepository


@dataclass(frozen=True, slots=True)
class AppealPage:
    items: list[Appeal]
    page: int
    pages: int
    total: int


class CommentOutcome(StrEnum):
    ADDED = "added"
    NOT_FOUND = "not_found"
    CLOSED = "closed"
    BANNED = "banned"


class AppealService:
    def __init__(
        self,
        appeals: AppealRepository,
        desk: DeskRepository,
        clock: Clock,
        signal: OutboxSignal,
        page_size: int = 5,
        events: ServiceEvents = NO_EVENTS,
    ) -> None:
        self._appeals = appeals
        self._desk = desk
        self._clock = clock
        self._signal = signal
        self.page_size = page_size
        self._events = events

    async def file(
        self,
        citizen_id: int,
        chat_id: int,
        appeal_type: AppealType,
        fields: dict[str, Any],
        attachments: list[Attachment] | None = None,
        filed_by: UpdateRef | None = None,
    ) -> Appeal:
        """File the appeal; its card and attachments are queued for the operators with it.

        ``filed_by``: what the appeal is filed once for, the dialogue the citizen's
        «Отправить» was pressed in (``dialogue_filing``) or the update it came in. Updates
        are handled at least once (a process that died mid-update leaves it to another): for
        a ``filed_by`` that filed an appeal already, that appeal is returned, nothing new
        filed or sent.
        """
        if filed_by is not None:
            filed = await self.filed(filed_by)
            if filed is not None:
                return filed
        new = NewAppeal(
            citizen_id, chat_id, appeal_type, fields, attachments or [], filed_by=filed_by
        )
        appeal = await self._appeals.create(new, self._clock.now(), follow_up=filing_change)
        self._signal.notify()
        self._events.appeal_filed(appeal.type.value)
        return appeal

    async def filed(self, filed_by: UpdateRef) -> Appeal | None:
        """The appeal filed for ``filed_by`` (see :meth:`file`), if one was."""
        return await self._appeals.filed_by(filed_by)

    async def find(self, number: str) -> Appeal | None:
        return await self._appeals.get_by_number(number)

    async def find_own(self, number: str, citizen_id: int) -> Appeal | None:
        """The appeal if it exists and belongs to the citizen; otherwise None."""
        appeal = await self._appeals.get_by_number(number)
        return appeal if appeal is not None and appeal.citizen_id == citizen_id else None

    async def page_for(self, citizen_id: int, page: int) -> AppealPage:
        total = await self._appeals.count_for_citizen(citizen_id)
        pages = max(1, math.ceil(total / self.page_size))
        page = min(max(page, 0), pages - 1)
        items = await self._appeals.list_for_citizen(
            citizen_id, self.page_size, page * self.page_size
        )
        return AppealPage(items, page, pages, total)

    async def history(self, appeal: Appeal) -> list[AppealMessage]:
        return await self._appeals.messages(appeal.id)

    async def add_comment(
        self, number: str, citizen_id: int, text: str
    ) -> tuple[CommentOutcome, Appeal | None]:
        appeal = await self.find_own(number, citizen_id)
        if appeal is None:
            return CommentOutcome.NOT_FOUND, None
        if not appeal.is_open:
            return CommentOutcome.CLOSED, appeal
        flags = await self._desk.flags(citizen_id)
        if flags.banned:
            return CommentOutcome.BANNED, appeal
        content = Content("text", html=render("{text}", text=text), plain=text)
        change = citizen_relay_change(
            appeal, content, None, MessageKind.CITIZEN_COMMENT, unblock=flags.bot_blocked
        )
        [commented] = await self._desk.apply([change], self._clock.now())
        if commented is None:
            return CommentOutcome.CLOSED, appeal
        self._signal.notify()
        return CommentOutcome.ADDED, commented
