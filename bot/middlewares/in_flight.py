"""Graceful shutdown: updates being handled when SIGTERM arrives get a grace to finish.

aiogram's polling cancels its loop on a stop signal but does not wait for
the update tasks it started; the shutdown hook :meth:`InFlightUpdates.drain`
does, before the bot session and the database are closed. An update still
running after the grace (``SHUTDOWN_GRACE_SECONDS``) is cancelled there, while
the session and the database are still open: cancelled, it stays unfinished
in the inbox and is handled again at the next start (see
``bot.middlewares.deduplication``). Left running, its requests would fail
once the session closed, and a failed update counts as done: its reply lost.
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
        self._tasks: dict[asyncio.Task[Any], int] = {}  # task -> updates it is handling

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        task = asyncio.current_task()
        assert task is not None
        self._tasks[task] = self._tasks.get(task, 0) + 1
        try:
            return await handler(event, data)
        finally:
            left = self._tasks.pop(task) - 1
            if left:
                self._tasks[task] = left  # an update fed from within another one's handler

    @property
    def count(self) -> int:
        """Updates being handled now."""
        return sum(self._tasks.values())

    async def drain(self) -> None:
        """Wait (up to ``timeout``) for the updates being handled; cancel the ones left."""
        current = asyncio.current_task()
        tasks = {task for task in self._tasks if task is not current}
        if not tasks:
            return
        logger.info("Waiting for %s update(s) in flight before shutting down", len(tasks))
        _, unfinished = await asyncio.wait(tasks, timeout=self.timeout)
        if not unfinished:
            return
        logger.warning(
            "%s update(s) cut off at shutdown; they are handled again at the next start",
            len(unfinished),
        )
        for task in unfinished:
            task.cancel()
        await asyncio.wait(unfinished)
