"""Budgets shared by every bot process through Redis (``REDIS_URL``): what the bot may send,
and how much a citizen may send before flood control holds them back.

Telegram limits the bot, not a process: about 30 messages a second in all, and
20 a minute into one group. With several processes each keeping its own window,
the cluster would send N times as much. :class:`RedisRateWindow` is one sliding
window in Redis: a sorted set of the moments messages were sent in the last
``period``, trimmed and counted and added to in one Lua script, so two processes
taking the last slot at once cannot both get it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from redis.asyncio import Redis

from bot.domain.clock import Clock

_TAKE = """
local now = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000))
return 1
"""


class RedisRateWindow:
    """At most ``limit`` messages in any ``period`` across every process using ``key``."""

    def __init__(self, redis: Redis, key: str, limit: int, period: timedelta, clock: Clock) -> None:
        self._redis = redis
        self._key = key
        self._limit = limit
        self._period = period.total_seconds()
        self._clock = clock
        self._script = redis.register_script(_TAKE)

    async def try_take(self) -> bool:
        now = self._clock.now().timestamp()
        taken = await self._script(
            keys=[self._key], args=[now, self._period, self._limit, uuid.uuid4().hex]
        )
        return bool(taken)


_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
"""


class RedisWindows:
    """A citizen's flood-control window shared by every bot process: a counter that
    expires ``window`` after the event that opened it."""

    def __init__(self, redis: Redis, prefix: str, window: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._window_ms = max(1, round(window * 1000))
        self._script = redis.register_script(_COUNT)

    async def count(self, user_id: int) -> int:
        return int(await self._script(keys=[f"{self._prefix}:{user_id}"], args=[self._window_ms]))


class RedisOperatorAnswers:
    """Whether a user is a member of the operators' chat, as last asked of Telegram, for
    every bot process (expires after the TTL the caller gives)."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def get(self, user_id: int) -> bool | None:
        value = await self._redis.get(f"{self._prefix}:{user_id}")
        return None if value is None else value in (b"1", "1")

    async def put(self, user_id: int, allowed: bool, ttl: timedelta) -> None:
        if ttl.total_seconds() <= 0:
            return  # OPERATOR_CACHE_SECONDS=0: ask Telegram every time
        await self._redis.set(
            f"{self._prefix}:{user_id}",
            "1" if allowed else "0",
            px=max(1, round(ttl.total_seconds() * 1000)),
        )
