"""Graceful shutdown: updates being handled when SIGTERM arrives get a grace to finish.

aiogram's polling cancels its loop on a stop signal but does not wait for
the update tasks it started; the shutdown hook :meth:`InFlightUpdates.drain`
does, before the bot session and the database are closed. An update still
running after the grace (``SHUTDOWN_GRACE_SECONDS``) is cancelled there, while
the session and the database are still open: cancelled, it stays unfinished
in the inbox and is handled again at the next start (see
``bot.middlewares.deduplication``). Left running, its requests would fail
once the session closed, and a failed update counts as done: its reply lost.

Updates reach this middleware only after aiogram's FSM middleware has given
them their chat's lock, so an update waiting behind another of its chat
comes in during the grace: it is waited for too. Once the drain is over,
whatever still comes in is cut off at once, before it is claimed: Telegram
(polling: never confirmed) or the inbox (webhook: claimed first) gives it
to the next start.
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
        self._closed = False

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if self._closed:
            raise asyncio.CancelledError  # came in after the shutdown's drain: cut off
        task = asyncio.current_task()
        assert task is not None
        self._tasks[task] = self._tasks.get(task, 0) + 1
        try:
            return await handler(event, data)
        finally:
            left = self._tasks.pop(task) - 1
            if left:
                self._tasks[task] = left  # an update fed from within another one's handler

    async def reopen(self) -> None:
        """At startup: take updates again (a dispatcher may poll again after a stop)."""
        self._closed = False

    @property
    def count(self) -> int:
        """Updates being handled now."""
        return sum(self._tasks.values())

    async def drain(self) -> None:
        """Wait (up to ``timeout``) for the updates being handled; cancel the ones left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        current = asyncio.current_task()
        announced = False
        try:
            while tasks := {task for task in self._tasks if task is not current}:
                if not announced:
                    logger.info(
                        "Waiting for %s update(s) in flight before shutting down", len(tasks)
                    )
                    announced = True
                left = deadline - loop.time()
                if left <= 0:
                    break
                await asyncio.wait(tasks, timeout=left)
            else:
                return
        finally:
            self._closed = True
        logger.warning(
            "%s update(s) cut off at shutdown; they are handled again at the next start",
            len(tasks),
        )
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
