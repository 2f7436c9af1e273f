"""Updates by webhook: the bot's own web server, for ``WEBHOOK_URL`` (see ``.env.example``).

Telegram POSTs each update to ``WEBHOOK_URL`` with the secret token in a header, and counts it
delivered once the answer is a 2xx; until then it keeps the update and tries again later. So
the answer must come only once losing the process no longer loses the update, and must not
wait for the whole handling (a slow handler would hold one of Telegram's connections and
delay the updates queued behind it). :class:`InboxFirstRequestHandler`, aiogram's
``SimpleRequestHandler`` with its constant-time secret check, answers in between:

1. a wrong or missing secret: 401, as aiogram answers it (Telegram counts a failed delivery);
2. the update is claimed in the inbox, its JSON committed with the claim
   (:meth:`DeduplicationMiddleware.claim_ahead`); only then 200, and the dispatcher handles
   it in the background;
3. a claim that fails: 503 or 500, and Telegram sends the update again later. An update
   already claimed (a retry of one this run took, or one finished earlier): 200, nothing more.

A process killed before step 2 commits never answered, so Telegram sends the update again (to
whichever process listens); killed after it, the claimed but unfinished update is handled
again at the next start, and a retry of it by Telegram is then a duplicate.

The same server answers ``GET /healthz``: 200 while every check passes (the database is
reachable), 503 otherwise and while stopping, for the reverse proxy and the orchestrator.

``python -m bot --workers N`` runs N processes on one listening socket (:mod:`bot.workers`).
SQLite allows one writing process, so more than one worker needs a database server
(``DATABASE_URL``); on SQLite the bot refuses with one line.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.app import Application
from bot.domain.content import ContentError
from bot.domain.masking import TypedNames
from bot.middlewares.deduplication import DeduplicationMiddleware
from bot.runtime import settle_heap
from bot.settings import Settings
from bot.storage.faults import StorageFault
from bot.workers import WorkerPool, bind_listener

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
HEALTH_CHECK_TIMEOUT = 2.0  # seconds; a check that takes longer counts as failed
HTTP_SHUTDOWN_TIMEOUT = 5.0  # seconds requests in progress get when the server closes
REFUSED_EXIT = 2  # as a configuration error in bot/__main__.py

WORKERS_NEED_A_SERVER_DATABASE = (
    "Ошибка настройки: --workers {workers} невозможно с SQLite (в файл базы пишет только один"
    " процесс); укажите DATABASE_URL=postgresql://... или запустите один процесс"
)
WORKERS_NEED_A_WEBHOOK = (
    "Ошибка настройки: --workers {workers} работает только с WEBHOOK_URL (при long polling"
    " Telegram отдаёт обновления одному процессу)"
)

HealthCheck = Callable[[], Awaitable[object]]


def webhook_path(url: str) -> str:
    """The path the server answers on: the one Telegram (or the proxy in front) POSTs to."""
    return urlsplit(url).path or "/"


def find_deduplication(dispatcher: Dispatcher) -> DeduplicationMiddleware:
    for middleware in dispatcher.update.outer_middleware:
        if isinstance(middleware, DeduplicationMiddleware):
            return middleware
    raise LookupError("the dispatcher has no DeduplicationMiddleware (see create_dispatcher)")


class InboxFirstRequestHandler(SimpleRequestHandler):
    """Answers Telegram once the update is claimed in the inbox, then handles it (see above)."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        deduplication: DeduplicationMiddleware,
        secret_token: str,
    ) -> None:
        # Not aiogram's background mode, which answers before anything is stored.
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self._deduplication = deduplication
        self._handling: set[asyncio.Task[None]] = set()
        self._accepting = True

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        if not self._accepting:
            return web.Response(status=503, text="stopping")
        try:
            raw = await request.json(loads=bot.session.json_loads)
            update = Update.model_validate(raw, context={"bot": bot})
        except (ValueError, ValidationError):
            logger.warning("Refused a webhook request that holds no update")
            return web.Response(status=400, text="not an update")
        try:
            taken = await self._deduplication.claim_ahead(bot, update)
        except StorageFault:
            return web.Response(status=503, text="storage unavailable")
        except Exception as error:  # noqa: BLE001 - answered: Telegram sends it again
            logger.warning(
                "Update %s not taken, its claim failed: %s: %s",
                update.update_id,
                type(error).__name__,
                error,
            )
            return web.Response(status=500, text="not stored")
        if taken:
            task = asyncio.create_task(self._handle_update(bot, update))
            self._handling.add(task)
            task.add_done_callback(self._handling.discard)
        else:
            logger.info("Skipped update %s: it was already taken", update.update_id)
        return web.json_response({})

    async def _handle_update(self, bot: Bot, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot, result)
        except Exception:  # as aiogram's polling does: log it and go on serving
            logger.exception("Update %s failed outside the error handler", update.update_id)

    def stop_accepting(self) -> None:
        """Answer 503 from now on: Telegram keeps the updates and sends them again later."""
        self._accepting = False

    async def drain(self, timeout: float) -> None:
        """Wait for the updates being handled; cut off after ``timeout``.

        An update cut off stays unfinished in the inbox and is handled at the next start.
        """
        if not self._handling:
            return
        logger.info("Waiting for %s update(s) being handled", len(self._handling))
        _, unfinished = await asyncio.wait(set(self._handling), timeout=timeout)
        if unfinished:
            logger.warning(
                "%s update(s) cut off; they are handled again at the next start", len(unfinished)
            )
            for task in unfinished:
                task.cancel()
            await asyncio.wait(unfinished)

    async def close(self) -> None:
        """Nothing: the bot's session belongs to whoever made the bot, and is closed there."""


class Health:
    """``GET /healthz``: named checks, each an awaitable that raises when it fails."""

    def __init__(
        self, checks: Mapping[str, HealthCheck], timeout: float = HEALTH_CHECK_TIMEOUT
    ) -> None:
        self._checks = dict(checks)
        self._timeout = timeout
        self.stopping = False

    async def handle(self, request: web.Request) -> web.Response:
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(self._checks[name]) for name in names))
        report = dict(zip(names, results, strict=True))
        if self.stopping:
            status = "stopping"
        elif all(result == "ok" for result in results):
            status = "ok"
        else:
            status = "unavailable"
        return web.json_response(
            {"status": status, "checks": report}, status=200 if status == "ok" else 503
        )

    async def _run(self, check: HealthCheck) -> str:
        try:
            await asyncio.wait_for(check(), self._timeout)
        except TimeoutError:
            return "timed out"
        except Exception as error:  # noqa: BLE001 - any failure is the answer itself
            return f"failed: {type(error).__name__}"
        return "ok"


async def serve_webhook(
    dispatcher: Dispatcher,
    bot: Bot,
    settings: Settings,
    listener: socket.socket,
    health_checks: Mapping[str, HealthCheck],
    wait_for_fault: Callable[[], Awaitable[StorageFault]],
) -> int:
    """Serve until SIGTERM/SIGINT (0) or Telegram refusing the webhook (2).

    ``wait_for_fault`` returns when the storage fails: the server stops as for a signal, then
    raises the fault. Start-up runs the dispatcher's hooks (the updates a dead run left
    unfinished are handled there) before the first request is taken; until then connections
    wait in the listener's queue.
    """
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    handler = InboxFirstRequestHandler(dispatcher, bot, find_deduplication(dispatcher), secret)
    health = Health(health_checks)
    app = web.Application()
    handler.register(app, path=webhook_path(settings.webhook_url))
    app.router.add_get(HEALTH_PATH, health.handle)
    workflow_data = {"dispatcher": dispatcher, "bots": [bot], **dispatcher.workflow_data}
    await dispatcher.emit_startup(bot=bot, **workflow_data)
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=HTTP_SHUTDOWN_TIMEOUT
    )
    await runner.setup()
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    storage_failed = asyncio.ensure_future(wait_for_fault())
    exit_code = 0
    try:
        await web.SockSite(runner, listener).start()
        try:
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=dispatcher.resolve_used_update_types(),
                drop_pending_updates=False,
            )
        except TelegramAPIError as error:
            logger.critical(
                "Telegram refused the webhook %s: %s", settings.webhook_url, error.message
            )
            exit_code = REFUSED_EXIT
        else:
            logger.info(
                "Taking updates by webhook at %s (listening on %s)",
                settings.webhook_url,
                listener.getsockname(),
            )
            waiting = asyncio.create_task(stopped.wait())
            await asyncio.wait({waiting, storage_failed}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        # Refuse new updates first (Telegram keeps them), then let the ones taken finish.
        health.stopping = True
        handler.stop_accepting()
        await runner.cleanup()
        await handler.drain(settings.shutdown_grace_seconds)
        await dispatcher.emit_shutdown(bot=bot, **workflow_data)
    if storage_failed.done():
        raise storage_failed.result()
    storage_failed.cancel()
    return exit_code


async def serve(settings: Settings, typed_names: TypedNames, listener: socket.socket) -> int:
    """One bot process taking updates by webhook on ``listener``."""
    # observability: imported here, as bot.observability.server reuses this module's Health.
    from bot.observability.server import serving_metrics

    async with Application(settings, typed_names=typed_names, verify=True) as application:
        settle_heap()  # everything built so far lives as long as the process
        async with serving_metrics(application):  # observability
            return await serve_webhook(
                application.dispatcher,
                application.bot,
                settings,
                listener,
                application.health_checks(),
                application.backend.wait_for_fault,
            )


def run_webhook(settings: Settings, typed_names: TypedNames, workers: int) -> int:
    """``python -m bot [--workers N]`` with ``WEBHOOK_URL``: the exit code.

    Refusals print one line on stderr (exit 2). One worker serves in this process, so its
    errors reach ``bot/__main__.py`` as in polling; several are forked (:mod:`bot.workers`).
    """
    if workers < 1:
        print(f"Ошибка настройки: --workers {workers}: нужен хотя бы один процесс", file=sys.stderr)
        return REFUSED_EXIT
    if settings.webhook_url is None:
        print(WORKERS_NEED_A_WEBHOOK.format(workers=workers), file=sys.stderr)
        return REFUSED_EXIT
    if workers > 1 and not settings.several_processes:
        print(WORKERS_NEED_A_SERVER_DATABASE.format(workers=workers), file=sys.stderr)
        return REFUSED_EXIT
    try:
        listener = bind_listener(settings.webhook_host, settings.webhook_port)
    except OSError as error:
        print(
            f"Ошибка настройки: не удаётся слушать {settings.webhook_host}:"
            f"{settings.webhook_port} (WEBHOOK_HOST, WEBHOOK_PORT): {error.strerror}",
            file=sys.stderr,
        )
        return REFUSED_EXIT
    with listener:
        if workers == 1:
            return asyncio.run(serve(settings, typed_names, listener))
        return WorkerPool(workers, partial(_worker, settings, typed_names, listener)).run()


def _worker(
    settings: Settings, typed_names: TypedNames, listener: socket.socket, index: int
) -> int:
    if settings.metrics_port:  # observability: worker i serves its metrics on METRICS_PORT + i
        settings = settings.model_copy(update={"metrics_port": settings.metrics_port + index})
    try:
        return asyncio.run(serve(settings, typed_names, listener))
    except StorageFault as fault:
        logger.critical("Worker %s stopped: the database failed: %s", index, fault)
        return 3
    except ContentError as error:
        logger.critical("Worker %s stopped: a help file is broken: %s", index, error)
        return REFUSED_EXIT
