"""The bot's life cycle: what starts it, in which order, and closing it in reverse.

:class:`Application` is an async context manager. Entering it opens, in order:

1. the database chosen by ``DATABASE_URL`` (SQLite by default, ``DATABASE_PATH`` keeps
   working; PostgreSQL through an asyncpg pool of ``DATABASE_POOL_SIZE``), migrated;
2. the FSM storage: aiogram's Redis storage and isolation with ``REDIS_URL``, else the
   database's own (on PostgreSQL without the in-memory cache SQLite's has, since other
   processes write the rows too);
3. the SMS gateway (``SMS_GATEWAY``); with Redis, the outbox's send budgets (the operators'
   chat's messages a minute, the bot's messages a second), the citizens' flood-control
   counts and the operators' chat membership answers, shared by every process;
4. the bot (its HTTP session, or the one given: tests and the demo pass theirs);
5. the dispatcher, from the one :func:`bot.factory.create_dispatcher`.

Leaving it closes them in reverse. Whatever fails half-way closes what was opened
before it. ``python -m bot`` (polling and webhook), the terminal demo and the
in-process fixture tier run the bot through it.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession

from bot.domain.clock import Clock, SystemClock
from bot.domain.masking import TypedNames
from bot.factory import create_bot, create_dispatcher, create_sms_gateway
from bot.observability.metrics import BotMetrics, create_metrics
from bot.services.sms import SmsGateway
from bot.settings import Settings
from bot.storage.backends import Backend, Fsm, open_backend

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


class Application:
    """The bot's resources, opened on entry and closed on exit (see the module)."""

    def __init__(
        self,
        settings: Settings,
        *,
        typed_names: TypedNames | None = None,
        clock: Clock | None = None,
        session: BaseSession | None = None,
        verify: bool = False,
    ) -> None:
        """``verify``: check a SQLite file for corruption before using it (the bot's start)."""
        self.settings = settings
        self.typed_names = typed_names
        self.clock = clock or SystemClock()
        self._session = session
        self._verify = verify
        self._exit = AsyncExitStack()
        self._backend: Backend | None = None
        self._fsm: Fsm | None = None
        self._redis: Redis | None = None
        self._bot: Bot | None = None
        self._dispatcher: Dispatcher | None = None
        # None without METRICS_PORT: nothing is measured (bot/observability).
        self.metrics: BotMetrics | None = create_metrics(settings.metrics_port)

    @property
    def backend(self) -> Backend:
        return _opened(self._backend)

    @property
    def fsm(self) -> Fsm:
        return _opened(self._fsm)

    @property
    def bot(self) -> Bot:
        return _opened(self._bot)

    @property
    def dispatcher(self) -> Dispatcher:
        return _opened(self._dispatcher)

    @property
    def redis(self) -> Redis | None:
        return self._redis

    async def __aenter__(self) -> Self:
        try:
            await self._open()
        except BaseException:
            await self._exit.aclose()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._exit.aclose()

    async def _open(self) -> None:
        settings = self.settings
        location = settings.postgres_url or f"sqlite:///{settings.sqlite_path}"
        backend = await open_backend(
            location,
            pool_size=settings.database_pool_size,
            verify=self._verify,
            inbox_lease=timedelta(seconds=settings.inbox_lease_seconds),
            durability=settings.durability,
        )
        self._exit.push_async_callback(backend.close)
        self._backend = backend
        self._fsm = self._open_fsm(backend)
        self._exit.push_async_callback(self._close_fsm, self._fsm)
        sms_gateway = create_sms_gateway(settings, self.clock)
        self._exit.push_async_callback(sms_gateway.close)
        bot = create_bot(settings, session=self._session)
        self._exit.push_async_callback(bot.session.close)
        self._bot = bot
        self._dispatcher = create_dispatcher(
            settings,
            backend,
            clock=self.clock,
            sms_gateway=sms_gateway,
            fsm=self._fsm,
            typed_names=self.typed_names,
            metrics=self.metrics,
            **self._shared_state(),
        )
        if backend.shared and self._redis is None:
            logger.warning(
                "DATABASE_URL is PostgreSQL without REDIS_URL: one chat's updates are"
                " kept apart only within a process; set REDIS_URL to run several"
            )

    def _open_fsm(self, backend: Backend) -> Fsm:
        settings = self.settings
        if settings.redis_url is None:
            return backend.fsm(settings.fsm_cache_size)
        # Imported only when configured: the embedded bot starts without loading Redis.
        from redis.asyncio import Redis

        from bot.storage.redis_fsm import redis_fsm

        self._redis = Redis.from_url(settings.redis_url)
        return redis_fsm(
            self._redis,
            prefix=settings.redis_prefix,
            state_ttl=_ttl(settings.fsm_state_ttl_seconds),
            data_ttl=_ttl(settings.fsm_data_ttl_seconds),
            lock_timeout=timedelta(seconds=settings.inbox_lease_seconds),
        )

    def _shared_state(self) -> dict[str, Any]:
        """With Redis: the outbox's send budgets, the citizens' flood-control counts and the
        operators' chat membership answers are the cluster's, not each process's."""
        if self._redis is None:
            return {}
        from bot.storage.redis_budget import (
            RedisOperatorAnswers,
            RedisRateWindow,
            RedisWindows,
        )

        settings, prefix, redis = self.settings, self.settings.redis_prefix, self._redis

        def desk_budget(chat_id: int) -> RedisRateWindow:
            # One window per desk chat: Telegram's 20 a minute is each group's own.
            return RedisRateWindow(
                redis,
                f"{prefix}:budget:operators:{chat_id}",
                settings.operators_chat_messages_per_minute,
                timedelta(minutes=1),
                self.clock,
            )

        return {
            "operators_budgets": desk_budget,
            "global_budget": RedisRateWindow(
                self._redis,
                f"{prefix}:budget:all",
                settings.telegram_messages_per_second,
                timedelta(seconds=1),
                self.clock,
            ),
            "throttle_windows": RedisWindows(
                self._redis, f"{prefix}:throttle", settings.throttle_window_seconds
            ),
            "operator_answers": RedisOperatorAnswers(self._redis, f"{prefix}:operator"),
        }

    @staticmethod
    async def _close_fsm(fsm: Fsm) -> None:
        # Idempotent: the dispatcher's own shutdown hook may have closed them already.
        await fsm.isolation.close()
        await fsm.storage.close()

    @property
    def sms_gateway(self) -> SmsGateway:
        gateway: SmsGateway = self.dispatcher["sms_gateway"]
        return gateway

    def health_checks(self) -> dict[str, Any]:
        """``/healthz``: each an awaitable factory that raises when its engine is down."""
        checks: dict[str, Any] = {"database": self.backend.check_health}
        if self._redis is not None:
            checks["redis"] = self._redis.ping
        return checks


def _ttl(seconds: int) -> timedelta | None:
    return timedelta(seconds=seconds) if seconds else None


def _opened(value: _T | None) -> _T:
    if value is None:
        raise RuntimeError("the Application is not open: use `async with Application(...)`")
    return value
