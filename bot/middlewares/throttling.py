"""Flood control: a citizen who sends too much is told once and ignored for a while."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.texts import common as texts


@dataclass
class _Window:
    started: float
    count: int
    warned: bool = False


class ThrottlingMiddleware(BaseMiddleware):
    """Outer middleware for messages and button presses in private chats.

    At most ``limit`` events per ``window`` seconds per user; the event that
    crosses the limit gets one polite warning, the rest of the window is
    ignored (button presses still get their required, silent answer).
    """

    def __init__(self, limit: int, window: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._monotonic = monotonic
        self._windows: dict[int, _Window] = {}
        self._last_cleanup = monotonic()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat = event.chat if isinstance(event, Message) else (
            event.message.chat if isinstance(event, CallbackQuery) and event.message else None
        )
        user = getattr(event, "from_user", None)
        if chat is None or chat.type != "private" or user is None:
            return await handler(event, data)
        now = self._monotonic()
        self._forget_old(now)
        window = self._windows.get(user.id)
        if window is None or now - window.started >= self.window:
            window = self._windows[user.id] = _Window(started=now, count=0)
        window.count += 1
        if window.count <= self.limit:
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            await event.answer(texts.TOO_OFTEN if not window.warned else None)
        elif isinstance(event, Message) and not window.warned:
            await event.answer(texts.TOO_OFTEN)
        window.warned = True
        return None

    def _forget_old(self, now: float) -> None:
        """Memory stays proportional to the users active in the last window."""
        if now - self._last_cleanup < self.window:
            return
        self._last_cleanup = now
        for user_id in [key for key, value in self._windows.items()
                        if now - value.started >= self.window]:
            del self._windows[user_id]
