"""Where the metrics are measured: around every update, and around every Bot API call."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update

from bot.observability.metrics import BotMetrics

if TYPE_CHECKING:
    from aiogram import Bot

# aiogram's exceptions by the HTTP status Telegram answered with (their classes keep no code).
_RESULTS: tuple[tuple[type[TelegramAPIError], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramNetworkError, "network"),
    (TelegramNotFound, "404"),
    (TelegramBadRequest, "400"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramConflictError, "409"),
    (TelegramServerError, "5xx"),
)


def request_result(error: TelegramAPIError) -> str:
    return next((result for kind, result in _RESULTS if isinstance(error, kind)), "other")


class UpdateMetricsMiddleware(BaseMiddleware):
    """An outer middleware of ``dispatcher.update``: type, outcome and latency of each update.

    It sits inside aiogram's error middleware, so it sees a handler's exception (outcome
    ``error``) before the error handler answers the citizen.
    """

    def __init__(self, metrics: BotMetrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            self._metrics.handler_duration.labels(kind).observe(time.perf_counter() - started)
            self._metrics.updates.labels(kind, outcome).inc()


class TelegramRequestMetrics(BaseRequestMiddleware):
    """A middleware of the bot's session: every Bot API call by method and result.

    Results: ``ok``; ``429`` (its ``retry_after`` observed too); the error code Telegram
    answered with (``400``, ``403``...); ``network`` when Telegram was not reached; ``other``
    for anything else (a timeout of our own, a cancelled call).
    """

    def __init__(self, metrics: BotMetrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        result = "other"
        try:
            response = await make_request(bot, method)
            result = "ok"
            return response
        except TelegramAPIError as error:
            result = request_result(error)
            if isinstance(error, TelegramRetryAfter):
                self._metrics.retry_after.observe(error.retry_after)
            raise
        finally:
            self._metrics.telegram_requests.labels(method.__api_method__, result).inc()
