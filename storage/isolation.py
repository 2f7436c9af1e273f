"""One update at a time per FSM key, without keeping a lock for every key ever seen.

aiogram's ``SimpleEventIsolation`` keeps one ``asyncio.Lock`` per key forever
(its own TODO says a cleaner is needed), so its memory grows with every
citizen who ever wrote. Here a key's lock exists only while an update holds
it or waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Hashable
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


class _KeyLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class KeyedEventIsolation(BaseEventIsolation):
    def __init__(self) -> None:
        self._locks: dict[Hashable, _KeyLock] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = _KeyLock()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[key]

    @property
    def keys_held(self) -> int:
        """Keys with an update running or waiting (for tests and monitoring)."""
        return len(self._locks)

    async def close(self) -> None:
        """Nothing to release: each key's lock goes with its last user.

        aiogram closes the isolation among the first shutdown hooks, while
        updates still in flight hold their locks and will release them; their
        locks must stay where they will look for them.
        """
