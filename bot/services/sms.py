"""SMS gateways: a JSON-lines outbox for development and tests, or an HTTP provider."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Protocol

import aiohttp

from bot.domain.clock import Clock
from bot.domain.masking import mask_phone

logger = logging.getLogger(__name__)


class SmsDeliveryError(RuntimeError):
    """The gateway did not accept the message."""


class SmsGateway(Protocol):
    async def send(self, to: str, text: str) -> None: ...

    async def close(self) -> None: ...


class OutboxSmsGateway:
    """Appends ``{"to", "text", "sent_at"}`` as one JSON line per message."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self._path = path
        self._clock = clock
        self._lock = asyncio.Lock()

    async def send(self, to: str, text: str) -> None:
        line = json.dumps(
            {"to": to, "text": text, "sent_at": self._clock.now().isoformat()},
            ensure_ascii=False,
        )
        async with self._lock:
            await asyncio.to_thread(self._append, line)
        logger.info("SMS written to the outbox for %s", mask_phone(to))

    def _append(self, line: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")

    async def close(self) -> None:
        """Nothing is held open between messages."""


class HttpSmsGateway:
    """POSTs ``{"to", "text"}`` as JSON to the provider, with a bearer token if set."""

    def __init__(self, url: str, token: str | None, timeout_seconds: float = 10.0) -> None:
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, to: str, text: str) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(
                self._url, json={"to": to, "text": text}, headers=self._headers
            ) as response:
                if response.status >= 300:
                    raise SmsDeliveryError(f"SMS provider answered HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SmsDeliveryError(f"SMS provider unreachable: {type(error).__name__}") from error
        logger.info("SMS accepted by the provider for %s", mask_phone(to))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
