"""Dialogue state in Redis (``REDIS_URL``), for several bot processes: aiogram's own storage.

aiogram's :class:`RedisStorage` holds state and data; its :class:`RedisEventIsolation`
serialises the updates of one chat across processes (a Redis lock per key). The key
builder keeps bot, chat, thread, user, business connection and destiny apart
(aiogram_dialog keeps its stacks under destinies of their own). State and data
expire after ``state_ttl``/``data_ttl`` of silence: what a citizen typed into a
dialogue they never finished does not stay forever.

When a citizen's personal data is erased, :meth:`RedisSessions.forget_user` deletes
every key of theirs, as the database's erasure deletes their ``fsm_sessions`` rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from datetime import timedelta

from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from bot.storage.backends import Fsm

logger = logging.getLogger(__name__)

SCAN_BATCH = 500
LOCK_PART = ":lock"  # the last part of a chat lock's key (aiogram's key builder)
RENEWALS_PER_TIMEOUT = 3  # the lock's expiry is pushed forward this often per time-out


class RenewedRedisEventIsolation(RedisEventIsolation):
    """aiogram's per-chat Redis lock, kept alive while the process holding it lives.

    The lock expires ``timeout`` after its last renewal, so a process that dies holding it
    frees the chat soon; a live one renews it while its update runs, however long that takes
    (a loaded machine, a slow Telegram). aiogram's own lock simply expires after ``timeout``:
    a longer update then runs beside the chat's next one, and releasing the lock fails
    (``LockNotOwnedError``) once it is done.
    """

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        name = self.key_builder.build(key, "lock")
        async with self.redis.lock(name=name, **self.lock_kwargs, lock_class=Lock) as held:
            renewing = asyncio.create_task(self._renew(held))
            try:
                yield None
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing

    @staticmethod
    async def _renew(held: Lock) -> None:
        assert held.timeout is not None
        while True:
            await asyncio.sleep(held.timeout / RENEWALS_PER_TIMEOUT)
            try:
                await held.reacquire()
            except (LockError, RedisError) as error:
                logger.warning("A chat's lock could not be renewed: %s", error)
                return


class RedisSessions:
    """Deletes a citizen's dialogue keys (the privacy service's session memory)."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def holds_user(self, user_id: int) -> bool:
        """Whether any dialogue key of the user's exists (Redis is where their state is)."""
        return bool(await self._keys_of(user_id))

    async def forget_user(self, user_id: int) -> None:
        doomed = await self._keys_of(user_id)
        if doomed:
            await self._redis.delete(*doomed)

    async def _keys_of(self, user_id: int) -> list[bytes | str]:
        # Keys read <prefix>:<bot>[:<business>]:<chat>[:<thread>]:<user>:<destiny>:<part>;
        # a private chat's id is the user's, so every key of theirs holds ":<id>:".
        marker = f":{user_id}:"
        return [
            key
            async for key in self._redis.scan_iter(
                match=f"{self._prefix}:*{marker}*", count=SCAN_BATCH
            )
            if marker in (name := key.decode() if isinstance(key, bytes) else key)
            # The chat's lock is held by the very update that erases: it releases it itself.
            and not name.endswith(LOCK_PART)
        ]


def redis_fsm(
    redis: Redis,
    *,
    prefix: str,
    state_ttl: timedelta | None,
    data_ttl: timedelta | None,
    lock_timeout: timedelta,
) -> Fsm:
    """aiogram's Redis storage and isolation over the client ``redis`` (closed with them).

    ``lock_timeout``: a process that dies holding a chat's lock frees it after this (a live
    one renews it); the update it held is taken over by another process after its lease, so
    the two match.
    """
    key_builder = DefaultKeyBuilder(
        prefix=prefix, with_bot_id=True, with_destiny=True, with_business_connection_id=True
    )
    storage = RedisStorage(redis, key_builder=key_builder, state_ttl=state_ttl, data_ttl=data_ttl)
    isolation = RenewedRedisEventIsolation(
        redis, key_builder=key_builder, lock_kwargs={"timeout": lock_timeout.total_seconds()}
    )
    return Fsm(storage, isolation, memory=RedisSessions(redis, prefix))
