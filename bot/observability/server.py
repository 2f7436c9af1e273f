"""The metrics server: ``/metrics``, ``/healthz`` and ``/readyz`` on ``METRICS_PORT``.

It runs beside the bot in polling and in webhook mode alike (its own port, so the webhook's
public address never shows the metrics). ``/healthz`` says the process is alive and its
event loop answers; ``/readyz`` runs the checks of :func:`readiness_checks` with the webhook
server's :class:`~bot.webhook.Health`: the database (the same check as the webhook's
``/healthz``), Redis when ``REDIS_URL`` is configured, and Telegram (reachable in polling
mode; our webhook set in webhook mode).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from aiogram import Bot
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.observability.metrics import BotMetrics
from bot.observability.middlewares import TelegramRequestMetrics
from bot.settings import Settings
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.operations import OperationsSnapshot
from bot.webhook import Health, HealthCheck

if TYPE_CHECKING:
    from bot.app import Application

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


class WebhookNotSet(RuntimeError):
    """Telegram answers, but does not post to our webhook URL."""


def instrument(
    metrics: BotMetrics,
    *,
    bot: Bot | None = None,
    database: Database | PostgresDatabase | None = None,
) -> None:
    """Measure Bot API calls and database operations (SQLite's or PostgreSQL's) into ``metrics``.

    Updates and FSM storage operations are measured by the dispatcher itself:
    ``create_dispatcher(..., metrics=)``.
    """
    if bot is not None:
        bot.session.middleware(TelegramRequestMetrics(metrics))
    if database is not None:
        database.observe = metrics.database_operation


async def telegram_reachable(bot: Bot) -> None:
    await bot.get_me()


async def webhook_set(bot: Bot, url: str) -> None:
    info = await bot.get_webhook_info()
    if info.url != url:
        raise WebhookNotSet(info.url or "no webhook")


def readiness_checks(
    settings: Settings, bot: Bot, engines: Mapping[str, HealthCheck]
) -> dict[str, HealthCheck]:
    """``engines``: the database's (and Redis's) checks, as the webhook's ``/healthz`` runs
    them (:meth:`bot.app.Application.health_checks`); Telegram's joins them."""
    checks = dict(engines)
    if settings.webhook_url is not None:
        checks["telegram"] = partial(webhook_set, bot, settings.webhook_url)
    else:
        checks["telegram"] = partial(telegram_reachable, bot)
    return checks


class MetricsServer:
    def __init__(
        self,
        metrics: BotMetrics,
        snapshot: Callable[[], Awaitable[OperationsSnapshot]],
        readiness: Mapping[str, HealthCheck],
        now: Callable[[], datetime],
    ) -> None:
        self._metrics = metrics
        self._snapshot = snapshot
        self._now = now
        self._liveness = Health({})
        self._readiness = Health(readiness)
        app = web.Application()
        app.router.add_get(METRICS_PATH, self._serve_metrics)
        app.router.add_get(LIVENESS_PATH, self._liveness.handle)
        app.router.add_get(READINESS_PATH, self._readiness.handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self.port: int | None = None

    async def _serve_metrics(self, request: web.Request) -> web.Response:
        try:
            self._metrics.update_from(await self._snapshot(), self._now())
        except Exception as error:  # noqa: BLE001 - the counters are worth serving without it
            logger.warning("Metrics served without the database's gauges: %s", type(error).__name__)
        response = web.Response(body=self._metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (0: any free port); return the port."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        logger.info("Metrics, /healthz and /readyz on %s:%s", host, self.port)
        return self.port

    async def stop(self) -> None:
        self._readiness.stopping = True
        await self._runner.cleanup()


@asynccontextmanager
async def serving_metrics(application: Application) -> AsyncIterator[MetricsServer | None]:
    """While inside: Bot API calls and database operations measured, the server listening.

    The dispatcher (updates, FSM storage) is measured by
    :func:`bot.factory.create_dispatcher` (``metrics=``). Without metrics (no
    ``METRICS_PORT``) it does nothing and gives ``None``; else the server (its ``port``).
    """
    settings, metrics = application.settings, application.metrics
    if metrics is None or settings.metrics_port is None:
        yield None
        return
    backend, bot = application.backend, application.bot
    instrument(metrics, bot=bot, database=backend.database)
    server = MetricsServer(
        metrics,
        backend.operations.snapshot,
        readiness_checks(settings, bot, application.health_checks()),
        application.clock.now,
    )
    await server.start(settings.metrics_host, settings.metrics_port)
    try:
        yield server
    finally:
        await server.stop()
