"""The log of every Bot API call, and the bookkeeping that tells when the bot has gone quiet."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .notify import ChangeNotifier

LONG_POLL_METHOD = "getUpdates"


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    started_at: float
    finished_at: float | None = None
    status: int | None = None
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


class ApiCallLog:
    """Records calls as they start and finish.

    A waiting ``getUpdates`` is the bot being idle, so it neither counts as a request in flight
    nor as activity, unless it hands out updates.
    """

    def __init__(self, changes: ChangeNotifier) -> None:
        self._changes = changes
        self.calls: list[ApiCall] = []
        self.requests_in_flight = 0
        self.last_activity = time.monotonic()

    def start(self, method: str, params: dict[str, Any]) -> ApiCall:
        call = ApiCall(method=method, params=params, started_at=time.monotonic())
        self.calls.append(call)
        if method != LONG_POLL_METHOD:
            self.requests_in_flight += 1
            self.touch()
        return call

    def finish(
        self, call: ApiCall, status: int, result: Any = None, description: str | None = None
    ) -> None:
        call.finished_at = time.monotonic()
        call.status, call.result, call.description = status, result, description
        if call.method != LONG_POLL_METHOD:
            self.requests_in_flight -= 1
            self.touch()
        elif result:
            self.touch()

    def touch(self) -> None:
        self.last_activity = time.monotonic()
        self._changes.notify()
