"""FSM storage latency: aiogram's storages (Redis, SQLite, PostgreSQL) wrapped, not rewritten.

:class:`TimedStorage` passes every call to the storage it wraps and observes how long it
took under the operation's name (``get_state``, ``set_data``...); :class:`TimedIsolation`
observes the wait for a chat's lock (``lock``; Redis's lock is a round trip, and a wait
behind another process's update of the same chat). aiogram's own ``update_data`` and
``get_value`` go to the wrapped storage whole, so one call is one observation.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StorageKey

Observe = Callable[[str, float], None]


class TimedStorage(BaseStorage):
    def __init__(self, storage: BaseStorage, observe: Observe) -> None:
        self.wrapped = storage
        self._observe = observe

    def _took(self, operation: str, started: float) -> None:
        self._observe(operation, time.perf_counter() - started)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        started = time.perf_counter()
        try:
            await self.wrapped.set_state(key, state)
        finally:
            self._took("set_state", started)

    async def get_state(self, key: StorageKey) -> str | None:
        started = time.perf_counter()
        try:
            return await self.wrapped.get_state(key)
        finally:
            self._took("get_state", started)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        started = time.perf_counter()
        try:
            await self.wrapped.set_data(key, data)
        finally:
            self._took("set_data", started)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return await self.wrapped.get_data(key)
        finally:
            self._took("get_data", started)

    async def get_value(
        self, storage_key: StorageKey, dict_key: str, default: Any | None = None
    ) -> Any | None:
        started = time.perf_counter()
        try:
            return await self.wrapped.get_value(storage_key, dict_key, default)
        finally:
            self._took("get_value", started)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return await self.wrapped.update_data(key, data)
        finally:
            self._took("update_data", started)

    async def close(self) -> None:
        await self.wrapped.close()


class TimedIsolation(BaseEventIsolation):
    def __init__(self, isolation: BaseEventIsolation, observe: Observe) -> None:
        self.wrapped = isolation
        self._observe = observe

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        started = time.perf_counter()
        async with self.wrapped.lock(key):
            self._observe("lock", time.perf_counter() - started)
            yield

    async def close(self) -> None:
        await self.wrapped.close()
