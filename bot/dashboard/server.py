"""Running the dashboard: ``python -m bot dashboard`` and beside the terminal demo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.dashboard.web import create_app
from bot.domain.clock import Clock, SystemClock
from bot.factory import create_dashboard_access
from bot.rendering.operators import escalation_text
from bot.services.dashboard import DashboardService
from bot.services.deadlines import DeadlineService
from bot.services.desk import OutboxSignal
from bot.settings import Settings
from bot.storage.backends import Backend, open_backend

logger = logging.getLogger(__name__)

GENERATED_SECRET = (
    "DASHBOARD_SECRET is not set: the dashboard signs links and cookies with a random secret"
    " made at start-up, so links the bot gives in another process do not open, and every"
    " sign-in ends with this process. Set DASHBOARD_SECRET (the same in the bot) to keep them."
)

BOT_WITHOUT_SECRET = (
    "DASHBOARD_SECRET is not set: /dashboard links are signed with a random secret of this"
    " process, which `python -m bot dashboard` cannot check; set DASHBOARD_SECRET in both"
)


def build_app(settings: Settings, backend: Backend, clock: Clock) -> web.Application:
    # Only the deadlines' overview is read here: nothing is marked nor sent.
    deadlines = DeadlineService(
        backend.desk,
        backend.deadlines,
        clock,
        OutboxSignal(),
        settings.sla,
        supervisors_chat_id=settings.supervisors_chat_id,
        escalation_text=escalation_text,
    )
    service = DashboardService(
        backend.desk, backend.dashboard, backend.shifts, deadlines, clock, settings.zone
    )
    return create_app(
        service,
        create_dashboard_access(settings, backend, clock),
        secure_cookies=settings.dashboard_url.startswith("https://"),
    )


class CannotListen(OSError):
    """The dashboard's address is taken or not this machine's."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; port 0 takes any free one (CannotListen)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise CannotListen(str(error)) from error
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def serving(app: web.Application, sock: socket.socket) -> AsyncIterator[None]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield
    finally:
        await runner.cleanup()


async def serve(settings: Settings) -> int:
    """``python -m bot dashboard``: serve until SIGTERM or SIGINT (exit 0)."""
    # The address first: a taken port stops it before the database is touched.
    sock = bind(settings.dashboard_host, settings.dashboard_port)
    if settings.dashboard_secret is None:
        logger.warning(GENERATED_SECRET)
    location = settings.postgres_url or f"sqlite:///{settings.sqlite_path}"
    backend = await open_backend(
        location, pool_size=min(settings.database_pool_size, 4), durability=settings.durability
    )
    try:
        async with serving(build_app(settings, backend, SystemClock()), sock):
            logger.info(
                "Dashboard on http://%s:%s, links lead to %s",
                settings.dashboard_host,
                sock.getsockname()[1],
                settings.dashboard_url,
            )
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            try:
                await stop.wait()
            finally:
                for signum in (signal.SIGTERM, signal.SIGINT):
                    with contextlib.suppress(ValueError, RuntimeError):
                        loop.remove_signal_handler(signum)
    finally:
        await backend.close()
        sock.close()
    return 0
