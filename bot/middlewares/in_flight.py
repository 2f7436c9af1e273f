"""Graceful shutdown: updates being handled when SIGTERM arrives are allowed to finish.

aiogram's polling cancels its loop on a stop signal but does not wait for
the update tasks it started; the shutdown hook :meth:`InFlightUpdates.drain`
does, before the bot session and the database are closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

logger = logging.getLogger(__name__)


class InFlightUpdates(BaseMiddleware):
    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self._count += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def drain(self) -> None:
        """Wait (up to ``timeout``) for the updates being handled to finish."""
        if self._count:
            logger.info("Waiting for %s update(s) in flight before shutting down", self._count)
        try:
            await asyncio.wait_for(self._idle.wait(), self.timeout)
        except TimeoutError:
            logger.warning("Shutting down with %s update(s) still in flight", self._count)
