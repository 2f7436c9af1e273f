"""Replies keep under Telegram's send limit, and those it refuses with 429 are sent again.

Beyond about 30 messages a second per bot (or one a second per private chat),
Telegram answers ``429 Too Many Requests`` with the seconds to wait. A reply a
handler sends is part of the citizen's dialogue: dropping it leaves the
citizen without the next question, and the error handler's apology meets the
same refusal. So while an update is being handled, a refused call waits the
time Telegram asks and is sent again, up to ``max_wait`` seconds in all for
one call; beyond that the error goes to the error handler as before.

Before that, replies pace themselves: new messages sent while updates are
handled take a place in a leaky bucket of ``per_second`` (TELEGRAM_MESSAGES_PER_SECOND),
so a busy minute queues replies for a moment instead of drawing 429s by the
thousand (the end-to-end benchmark counted 30,000 refusals in three minutes
without it). The bucket is this process's: in a cluster each process keeps its
replies under the limit on its own, while the outbox's budget is the cluster's.

The outbox is not concerned: it runs outside any update, handles 429 itself
(it pauses the chat and sends other chats' rows meanwhile), and must not be
held up here. A context variable, set by an outer update middleware, tells
the two apart; tasks a handler starts inherit it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject
from aiolimiter import AsyncLimiter

if TYPE_CHECKING:
    from aiogram import Bot

logger = logging.getLogger(__name__)

_handling_update: ContextVar[bool] = ContextVar("handling_update", default=False)


class HandlingUpdate(BaseMiddleware):
    """Outer update middleware: marks the calls made while an update is handled."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        token = _handling_update.set(True)
        try:
            return await handler(event, data)
        finally:
            _handling_update.reset(token)


# Bot API methods that post a new message: what Telegram's per-bot limit counts.
_NEW_MESSAGE_PREFIXES = ("Send", "Copy", "Forward")
_NOT_A_MESSAGE = frozenset({"SendChatAction"})


def posts_a_message(method: TelegramMethod[Any]) -> bool:
    name = type(method).__name__
    return name.startswith(_NEW_MESSAGE_PREFIXES) and name not in _NOT_A_MESSAGE


class RepliesWithinLimits(BaseRequestMiddleware):
    """Bot session middleware: replies paced to ``per_second``; one refused with 429 waits
    Telegram's ``retry_after`` and is sent again, up to ``max_wait`` seconds in all."""

    def __init__(
        self,
        max_wait: float,
        per_second: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.max_wait = max_wait
        self._pace = AsyncLimiter(per_second, 1) if per_second else None
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if not _handling_update.get():
            return await make_request(bot, method)
        paced = self._pace is not None and posts_a_message(method)
        waited = 0.0
        while True:
            if paced:
                assert self._pace is not None
                await self._pace.acquire()
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if waited + error.retry_after > self.max_wait:
                    raise
                logger.warning(
                    "%s refused with 429: sending again in %s s",
                    type(method).__name__,
                    error.retry_after,
                )
                await self._sleep(error.retry_after)
                waited += error.retry_after
