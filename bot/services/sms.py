"""SMS gateways: a JSON-lines outbox for development and tests, or an HTTP provider."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Collection
from datetime import datetime
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

    async def erase_phones(self, phones: Collection[str]) -> int:
        """Remove the lines sent to any of ``phones`` (E.164); return how many."""
        wanted = tuple(phones)

        def to_erased_phone(line: str) -> bool:
            # A substring test also catches a line cut short by a crash.
            return any(phone in line for phone in wanted)

        return await self._remove_lines(to_erased_phone) if wanted else 0

    async def erase_sent_before(self, moment: datetime) -> int:
        """Remove the lines sent before ``moment``; return how many."""

        def sent_before(line: str) -> bool:
            try:
                return datetime.fromisoformat(json.loads(line)["sent_at"]) < moment
            except (ValueError, KeyError, TypeError):
                return True  # a line cut short by a crash: it cannot be dated, nor used

        return await self._remove_lines(sent_before)

    async def _remove_lines(self, erased: Callable[[str], bool]) -> int:
        async with self._lock:
            return await asyncio.to_thread(self._rewrite_without, erased)

    def _rewrite_without(self, erased: Callable[[str], bool]) -> int:
        """Rewrite the file without the erased lines: a new file put in place in one step."""
        try:
            lines = self._path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return 0
        kept = [line for line in lines if line and not erased(line)]
        removed = sum(1 for line in lines if line) - len(kept)
        if not removed:
            return 0
        replacement = self._path.with_name(self._path.name + ".tmp")
        with replacement.open("w", encoding="utf-8") as outbox:
            outbox.writelines(line + "\n" for line in kept)
            outbox.flush()
            os.fsync(outbox.fileno())
        os.replace(replacement, self._path)
        return removed

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
