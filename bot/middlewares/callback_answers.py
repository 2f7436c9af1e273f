"""Every press answered, and a press answered twice is not an error.

aiogram's ``CallbackAnswerMiddleware`` answers each callback query once its handler is done.
Telegram refuses a second answer to one query, and an answer after its time-out, with "query
is too old and response timeout expired or query ID is invalid". Updates are handled at least
once: a press taken over from a process that died after answering it (or that a slow
process's lease lost) is handled again, and its answer, which only stops the button's
spinner, can no longer be given. That is logged and dropped; the handler's work stands.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

logger = logging.getLogger(__name__)

QUERY_TOO_OLD = "query is too old"


class LateCallbackAnswerMiddleware(CallbackAnswerMiddleware):
    """aiogram's middleware (the same flags and ``callback_answer`` in the handler's data),
    whose answer refused as too old is logged, not raised."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        callback_answer = data["callback_answer"] = self.construct_callback_answer(
            properties=get_flag(data, "callback_answer"),
        )
        if not callback_answer.disabled and callback_answer.answered:
            await self._answer(event, callback_answer)
        try:
            return await handler(event, data)
        finally:
            if not callback_answer.disabled and not callback_answer.answered:
                await self._answer(event, callback_answer)

    async def _answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> None:
        async with _unless_too_old():
            await self.answer(event, callback_answer)


async def answer_unless_too_old(
    callback: CallbackQuery, text: str, *, show_alert: bool = False
) -> None:
    """``callback.answer`` outside the middleware (a stale dialogue's button), as tolerant."""
    async with _unless_too_old():
        await callback.answer(text, show_alert=show_alert)


@contextlib.asynccontextmanager
async def _unless_too_old() -> AsyncIterator[None]:
    try:
        yield
    except TelegramBadRequest as error:
        if QUERY_TOO_OLD not in error.message:
            raise
        logger.info("A press was answered already or too late to answer: %s", error.message)
