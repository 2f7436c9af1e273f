"""Fault injection: planned error answers, planned delays and the optional group flood limit."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from . import errors

ANY_METHOD = "*"
DEFAULT_RETRY_AFTER = 5
FLOOD_WINDOW_SECONDS = 60.0


@dataclass
class PlannedFault:
    method: str
    error: errors.TelegramApiError
    remaining: int
    chat_id: int | str | None


@dataclass
class PlannedDelay:
    method: str
    seconds: float
    remaining: int
    chat_id: int | str | None


class FaultPlan:
    """Errors to answer instead of running the method, consumed in the order they were planned,
    and delays before a method runs."""

    def __init__(self) -> None:
        self._faults: list[PlannedFault] = []
        self._delays: list[PlannedDelay] = []

    @property
    def pending(self) -> list[PlannedFault]:
        return list(self._faults)

    def add(
        self,
        method: str,
        error_code: int,
        description: str | None,
        retry_after: int | None,
        times: int,
        chat_id: int | str | None,
    ) -> PlannedFault:
        if times < 1:
            raise ValueError("times must be at least 1")
        if error_code == 429 and retry_after is None:
            retry_after = DEFAULT_RETRY_AFTER
        error = errors.TelegramApiError(
            error_code,
            description or errors.default_description(error_code, retry_after),
            retry_after,
        )
        fault = PlannedFault(method.lower(), error, times, chat_id)
        self._faults.append(fault)
        return fault

    def take(
        self, method: str, chat_id: int | str | None, *, wildcard_applies: bool = True
    ) -> errors.TelegramApiError | None:
        """The error to answer this call with, if a planned fault matches it."""
        accepted_methods = {method.lower(), ANY_METHOD} if wildcard_applies else {method.lower()}
        for fault in self._faults:
            if fault.method not in accepted_methods:
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                continue
            fault.remaining -= 1
            if fault.remaining == 0:
                self._faults.remove(fault)
            return fault.error
        return None

    def add_delay(
        self, method: str, seconds: float, times: int, chat_id: int | str | None
    ) -> PlannedDelay:
        if times < 1:
            raise ValueError("times must be at least 1")
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        delay = PlannedDelay(method.lower(), seconds, times, chat_id)
        self._delays.append(delay)
        return delay

    def take_delay(
        self, method: str, chat_id: int | str | None, *, wildcard_applies: bool = True
    ) -> float | None:
        """Seconds this call waits before it reaches Telegram, if a planned delay matches it."""
        accepted_methods = {method.lower(), ANY_METHOD} if wildcard_applies else {method.lower()}
        for delay in self._delays:
            if delay.method not in accepted_methods:
                continue
            if delay.chat_id is not None and str(delay.chat_id) != str(chat_id):
                continue
            delay.remaining -= 1
            if delay.remaining == 0:
                self._delays.remove(delay)
            return delay.seconds
        return None

    def clear(self) -> None:
        self._faults.clear()
        self._delays.clear()


class GroupFloodLimit:
    """Telegram's limit of about 20 messages per minute in one group, off until enabled."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.messages_per_minute: int | None = None
        self._sent_at: dict[int, deque[float]] = {}

    def check_and_count(self, chat_id: int, messages: int = 1) -> None:
        """Count messages to a group chat, or raise 429 if they don't fit the minute's quota."""
        if self.messages_per_minute is None:
            return
        now = self._clock()
        sent_at = self._sent_at.setdefault(chat_id, deque())
        while sent_at and now - sent_at[0] >= FLOOD_WINDOW_SECONDS:
            sent_at.popleft()
        if len(sent_at) + messages > self.messages_per_minute:
            oldest = sent_at[0] if sent_at else now
            raise errors.too_many_requests(max(1, math.ceil(FLOOD_WINDOW_SECONDS - (now - oldest))))
        sent_at.extend([now] * messages)
