"""Delivery of updates by webhook, as Telegram does it once ``setWebhook`` is called.

* Each update is POSTed as a JSON object to the webhook's URL, with the secret token (if one was
  set) in the ``X-Telegram-Bot-Api-Secret-Token`` header.
* Only a 2xx answer delivers it. Any other status, a refused or dropped connection, or no answer
  within the time-out is a failed attempt: the update stays pending (``pending_update_count``)
  and is tried again after a pause that doubles with each failure, up to a ceiling. The failure
  is reported by ``getWebhookInfo`` (``last_error_date``, ``last_error_message``) in Telegram's
  words.
* Updates go out in ``update_id`` order, at most ``max_connections`` at a time; an update whose
  attempt failed waits for its pause without holding up the others.
* Every attempt is logged (``attempts``), so a test can count deliveries and failures.
* With a ``latency`` (the server's, see ``limits.NetworkLatency``), half of it passes before the
  POST reaches the bot and half before its answer is back, as for the bot's own calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from . import errors
from .limits import NetworkLatency
from .notify import ChangeNotifier
from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_TOKEN_MAX_LENGTH = 256
SECRET_TOKEN_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
)
DEFAULT_MAX_CONNECTIONS = 40
MAX_CONNECTIONS_LIMIT = 100
DEFAULT_RETRY_DELAY = 0.2  # seconds before the first retry; doubles with each failure
DEFAULT_MAX_RETRY_DELAY = 2.0
DEFAULT_DELIVERY_TIMEOUT = 30.0  # seconds the bot has to answer one POST
LOOPBACK_NAMES = frozenset({"localhost"})

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None


@dataclass
class DeliveryAttempt:
    """One POST of one update; ``status`` is None when no HTTP answer came at all."""

    update_id: int
    url: str
    started_at: float
    finished_at: float | None = None
    status: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class _Retry:
    update: dict[str, Any]  # held so that its id() stays unique while it is tracked
    failures: int
    not_before: float


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(url: str) -> None:
    """Telegram wants HTTPS; plain HTTP is let through to this machine only (tests, demos)."""
    if url.startswith("https://"):
        return
    if url.startswith("http://") and is_loopback(url):
        return
    raise errors.bad_request("bad webhook: An HTTPS URL must be provided for webhook")


def check_secret_token(secret_token: str) -> None:
    if len(secret_token) > SECRET_TOKEN_MAX_LENGTH or not set(secret_token).issubset(
        SECRET_TOKEN_CHARACTERS
    ):
        raise errors.bad_request("secret token contains unallowed characters")


def clamp_max_connections(requested: int | None) -> int:
    if requested is None:
        return DEFAULT_MAX_CONNECTIONS
    return min(max(requested, 1), MAX_CONNECTIONS_LIMIT)


class WebhookDelivery:
    """POSTs the queued updates to the bot while a webhook is set; see the module docstring."""

    def __init__(
        self,
        updates: UpdateQueue,
        changes: ChangeNotifier,
        on_activity: Callable[[], None],
        *,
        retry_delay: float = DEFAULT_RETRY_DELAY,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        timeout: float = DEFAULT_DELIVERY_TIMEOUT,
        latency: NetworkLatency | None = None,
    ) -> None:
        self._updates = updates
        # The network between Telegram and the bot: half before the POST reaches the bot,
        # half before its answer is back (as for the bot's own calls).
        self._latency = latency or NetworkLatency()
        self._changes = changes
        self._on_activity = on_activity
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.settings: WebhookSettings | None = None
        self.attempts: list[DeliveryAttempt] = []
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._retries: dict[int, _Retry] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    @property
    def url(self) -> str:
        return self.settings.url if self.settings is not None else ""

    @property
    def in_flight_count(self) -> int:
        return len(self._in_flight)

    def configure(self, settings: WebhookSettings | None) -> None:
        """Set (or with None remove) the webhook; delivery starts or stops accordingly."""
        self.settings = settings
        if (
            settings is not None
            and not self._closed
            and (self._loop_task is None or self._loop_task.done())
        ):
            self._loop_task = asyncio.create_task(self._deliver_while_set())
        self._changes.notify()

    def info(self, pending_update_count: int) -> dict[str, Any]:
        """``getWebhookInfo``'s answer."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending_update_count,
        }
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        if self.settings is not None:
            info["max_connections"] = self.settings.max_connections
            if self.settings.allowed_updates is not None:
                info["allowed_updates"] = self.settings.allowed_updates
        return info

    async def close(self) -> None:
        """Stop delivering: attempts in progress are abandoned, the updates stay queued."""
        self._closed = True
        # Python 3.11's wait_for can swallow a cancellation that meets a wake-up; the delivery
        # loop then sees ``_closed`` on its next turn.
        self._changes.notify()
        tasks = [*self._in_flight.values()]
        if self._loop_task is not None:
            tasks.append(self._loop_task)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _deliver_while_set(self) -> None:
        loop = asyncio.get_running_loop()
        while self.settings is not None and not self._closed:
            settings = self.settings
            now = loop.time()
            waiting = self._updates.undelivered()
            live = {id(update) for update in waiting}
            for key in [key for key in self._retries if key not in live]:
                del self._retries[key]  # dropped (drop_pending_updates) or delivered meanwhile
            next_due: float | None = None
            for update in waiting:
                if len(self._in_flight) >= settings.max_connections:
                    break
                key = id(update)
                if key in self._in_flight:
                    continue
                retry = self._retries.get(key)
                if retry is not None and retry.not_before > now:
                    next_due = (
                        retry.not_before if next_due is None else min(next_due, retry.not_before)
                    )
                    continue
                self._in_flight[key] = asyncio.create_task(self._attempt(update, settings))
            await self._changes.wait(None if next_due is None else next_due - now)

    async def _attempt(self, update: dict[str, Any], settings: WebhookSettings) -> None:
        key = id(update)
        attempt = DeliveryAttempt(update["update_id"], settings.url, time.monotonic())
        self.attempts.append(attempt)
        self._changes.notify()
        try:
            attempt.status, attempt.error = await self._post(update, settings)
        finally:
            attempt.finished_at = time.monotonic()
            del self._in_flight[key]
        if attempt.delivered:
            self._retries.pop(key, None)
            self._updates.acknowledge(update)
        else:
            self.last_error_date = int(time.time())
            self.last_error_message = attempt.error
            failures = self._retries[key].failures + 1 if key in self._retries else 1
            pause = min(self.retry_delay * 2 ** (failures - 1), self.max_retry_delay)
            self._retries[key] = _Retry(update, failures, asyncio.get_running_loop().time() + pause)
        self._on_activity()

    async def _post(
        self, update: dict[str, Any], settings: WebhookSettings
    ) -> tuple[int | None, str | None]:
        """The status of the answer (None: there was none) and Telegram's words for a failure."""
        if self._session is None:
            # A fresh connection per update: a bot process killed and restarted is reached at
            # once instead of through a kept-alive connection to the dead one.
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
        headers = {"Content-Type": "application/json"}
        if settings.secret_token:
            headers[SECRET_HEADER] = settings.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        if self._latency.seconds:
            await asyncio.sleep(self._latency.one_way)  # on the way to the bot
        try:
            async with self._session.post(
                settings.url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                await response.read()
        except TimeoutError:
            return None, "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return None, "Connection refused"
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError):
            return None, "Connection reset by peer"
        except aiohttp.ClientError as error:
            return None, f"Connection failed: {error}"
        if self._latency.seconds:
            await asyncio.sleep(self._latency.one_way)  # the answer on its way back
        if 200 <= response.status < 300:
            return response.status, None
        return response.status, (
            f"Wrong response from the webhook: {response.status} {response.reason}"
        )
