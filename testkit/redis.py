"""A Redis server for tests: where it is, whether it answers, a key prefix of one's own.

``TEST_REDIS_URL`` names the server (default: the standard local port, database 0).
Each test works under a fresh key prefix and deletes every key under it afterwards,
so runs sharing one server never see each other's keys.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

DEFAULT_URL = "redis://127.0.0.1:6379/0"
START_HINT = "start it with `docker compose up -d redis` or set TEST_REDIS_URL"
CONNECT_TIMEOUT = 3.0


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL") or DEFAULT_URL


async def unreachable_reason(url: str) -> str | None:
    """None if the server answers; otherwise one line saying why not and what to do."""
    client = Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT)
    try:
        await client.ping()  # type: ignore[misc]  # redis-py types ping for both clients
    except (OSError, RedisError) as error:
        return f"Redis at {url} unreachable ({type(error).__name__}: {error}); {START_HINT}"
    finally:
        await client.aclose()
    return None


async def keys_under(url: str, prefix: str) -> list[str]:
    client = Redis.from_url(url, decode_responses=True)
    try:
        return sorted([key async for key in client.scan_iter(match=f"{prefix}:*", count=500)])
    finally:
        await client.aclose()


@asynccontextmanager
async def fresh_prefix(url: str) -> AsyncIterator[str]:
    """A key prefix no one uses; every key under it is deleted afterwards."""
    prefix = f"test_{uuid.uuid4().hex[:16]}"
    try:
        yield prefix
    finally:
        client = Redis.from_url(url)
        try:
            doomed = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
            if doomed:
                await client.delete(*doomed)
        finally:
            await client.aclose()
