"""Telegram redelivers updates the bot did not confirm; handle each update id once."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update

from bot.domain.clock import Clock

logger = logging.getLogger(__name__)

RETENTION = timedelta(days=1)
PRUNE_EVERY = 1000  # updates between two prunes of old ids


class ProcessedUpdates(Protocol):
    async def claim(self, bot_id: int, update_id: int, run_id: str, now: Any) -> bool: ...

    async def finish(self, bot_id: int, update_id: int) -> None: ...

    async def prune(self, older_than: Any) -> int: ...


class DeduplicationMiddleware(BaseMiddleware):
    """Outer update middleware: skips update ids already taken by this or an earlier run."""

    def __init__(self, processed: ProcessedUpdates, clock: Clock) -> None:
        self._processed = processed
        self._clock = clock
        self.run_id = uuid.uuid4().hex
        self._since_prune = 0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        now = self._clock.now()
        if not await self._processed.claim(bot.id, event.update_id, self.run_id, now):
            logger.info("Skipped update %s: it was already handled", event.update_id)
            return None
        try:
            return await handler(event, data)
        finally:
            await self._processed.finish(bot.id, event.update_id)
            self._since_prune += 1
            if self._since_prune >= PRUNE_EVERY:
                self._since_prune = 0
                await self._processed.prune(now - RETENTION)
