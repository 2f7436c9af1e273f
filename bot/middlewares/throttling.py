"""Flood control: a citizen who sends too much is told once and ignored for a while.

The count of a citizen's events in their window lives in this process
(:class:`MemoryWindows`) or, with several bot processes, in Redis
(:class:`bot.storage.redis_budget.RedisWindows`), so a citizen gets the same
answer whichever process takes the update.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.texts import common as texts


class EventWindows(Protocol):
    async def count(self, user_id: int) -> int:
        """Count one more event of ``user_id``; its number within the user's current window
        (a window opens with the first event after the last one closed)."""
        ...


@dataclass
class _Window:
    started: float
    count: int


class MemoryWindows:
    """The windows of one process, in its memory."""

    def __init__(self, window: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._monotonic = monotonic
        self._windows: dict[int, _Window] = {}
        self._last_cleanup = monotonic()

    async def count(self, user_id: int) -> int:
        now = self._monotonic()
        self._forget_old(now)
        window = self._windows.get(user_id)
        if window is None or now - window.started >= self.window:
            window = self._windows[user_id] = _Window(started=now, count=0)
        window.count += 1
        return window.count

    def _forget_old(self, now: float) -> None:
        """Memory stays proportional to the users active in the last window."""
        if now - self._last_cleanup < self.window:
            return
        self._last_cleanup = now
        for user_id in [
            key for key, value in self._windows.items() if now - value.started >= self.window
        ]:
            del self._windows[user_id]


class ThrottlingMiddleware(BaseMiddleware):
    """Outer middleware for messages and button presses in private chats.

    At most ``limit`` events per ``window`` seconds per user; the event that
    crosses the limit gets one polite warning, the rest of the window is
    ignored (button presses still get their required, silent answer).
    """

    def __init__(
        self,
        limit: int,
        window: float,
        monotonic: Callable[[], float] = time.monotonic,
        windows: EventWindows | None = None,
    ) -> None:
        """``windows``: where the counts live (default: this process's memory)."""
        self.limit = limit
        self.window = window
        self._windows = windows or MemoryWindows(window, monotonic)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat = (
            event.chat
            if isinstance(event, Message)
            else (
                event.message.chat if isinstance(event, CallbackQuery) and event.message else None
            )
        )
        user = getattr(event, "from_user", None)
        if chat is None or chat.type != "private" or user is None:
            return await handler(event, data)
        count = await self._windows.count(user.id)
        if count <= self.limit:
            return await handler(event, data)
        first_over = count == self.limit + 1  # warned once; the rest of the window is ignored
        if isinstance(event, CallbackQuery):
            await event.answer(texts.TOO_OFTEN if first_over else None)
        elif isinstance(event, Message) and first_over:
            await event.answer(texts.TOO_OFTEN)
        return None
