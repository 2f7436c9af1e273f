"""An update's FSM writes are committed before the bot's next request to Telegram.

Our SQLite storage keeps the writes of the update being handled until its
``write_pending`` (a dialogue step that sets data and then the state commits
once). :class:`WritesBeforeRequests` calls it before every Bot API request
the update makes, so no reply reaches a citizen while the state change it
follows could still be lost; the update's end commits the rest, together
with its "done" mark (``DeduplicationMiddleware``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from weakref import WeakSet

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject


class PendingWrites(Protocol):
    async def write_pending(self) -> None: ...


class WritesBeforeRequests(BaseRequestMiddleware):
    """Session middleware: the current update's unsaved writes go first."""

    def __init__(self, storage: PendingWrites) -> None:
        self._storage = storage

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        await self._storage.write_pending()
        return await make_request(bot, method)


class WireSessions(BaseMiddleware):
    """Outer update middleware: puts :class:`WritesBeforeRequests` on every bot's session once."""

    def __init__(self, storage: PendingWrites) -> None:
        self._middleware = WritesBeforeRequests(storage)
        self._wired: WeakSet[BaseSession] = WeakSet()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session = data["bot"].session
        if session not in self._wired:
            session.middleware(self._middleware)
            self._wired.add(session)
        return await handler(event, data)
