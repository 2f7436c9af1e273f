"""PostgreSQL and Redis for one run of the bot as a cluster runs it: a fresh schema, a fresh
key prefix, both wiped afterwards (tests, the fixture runner's cluster tier, benchmarks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from testkit.postgres import fresh_schema, postgres_url
from testkit.redis import fresh_prefix, redis_url


@dataclass(frozen=True)
class FreshServices:
    database_url: str  # the server's URL with ``search_path`` set to the fresh schema
    redis_url: str
    redis_prefix: str


@asynccontextmanager
async def fresh_services(
    postgres: str | None = None, redis: str | None = None
) -> AsyncIterator[FreshServices]:
    """A fresh schema on ``postgres`` and key prefix on ``redis`` (default: the test servers)."""
    postgres = postgres or postgres_url()
    redis = redis or redis_url()
    async with fresh_schema(postgres) as schema, fresh_prefix(redis) as prefix:
        joiner = "&" if "?" in postgres else "?"
        yield FreshServices(f"{postgres}{joiner}search_path={schema}", redis, prefix)
