import asyncio
from datetime import timedelta

from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bot.storage.isolation import KeyedEventIsolation
from bot.storage.redis_fsm import redis_fsm
from testkit.redis import fresh_prefix


async def test_updates_of_one_key_run_one_at_a_time() -> None:
    isolation = KeyedEventIsolation()
    key = StorageKey(bot_id=1, chat_id=2, user_id=3)
    running, overlaps = 0, 0

    async def update() -> None:
        nonlocal running, overlaps
        async with isolation.lock(key):
            running += 1
            overlaps += running > 1
            await asyncio.sleep(0)
            running -= 1

    await asyncio.gather(*(update() for _ in range(20)))
    assert overlaps == 0


async def test_no_lock_is_kept_for_keys_not_in_use() -> None:
    isolation = KeyedEventIsolation()
    for user in range(1000):
        async with isolation.lock(StorageKey(bot_id=1, chat_id=user, user_id=user)):
            pass
    assert isolation.keys_held == 0


async def test_closing_while_an_update_holds_its_lock_leaves_the_lock_to_it() -> None:
    isolation = KeyedEventIsolation()
    key = StorageKey(bot_id=1, chat_id=2, user_id=3)
    inside, release = asyncio.Event(), asyncio.Event()

    async def update_in_flight() -> None:
        async with isolation.lock(key):
            inside.set()
            await release.wait()

    task = asyncio.create_task(update_in_flight())
    await inside.wait()
    await isolation.close()  # shutdown begins with the update still running
    release.set()
    await task  # its lock is released without a KeyError

    assert isolation.keys_held == 0


async def test_a_chat_lock_in_redis_outlives_its_timeout_while_its_update_runs(
    cluster_services: tuple[str, str],
) -> None:
    """An update longer than the lock's time-out keeps the chat to itself and releases the
    lock cleanly (aiogram's own lock would expire under it: two updates of one chat at once,
    then ``LockNotOwnedError``)."""
    _, url = cluster_services
    async with fresh_prefix(url) as prefix:
        redis = Redis.from_url(url)
        fsm = redis_fsm(
            redis,
            prefix=prefix,
            state_ttl=None,
            data_ttl=None,
            lock_timeout=timedelta(seconds=0.3),
        )
        key = StorageKey(bot_id=1, chat_id=2, user_id=2)
        running, overlaps = 0, 0

        async def long_update() -> None:
            nonlocal running, overlaps
            async with fsm.isolation.lock(key):
                running += 1
                overlaps += running > 1
                await asyncio.sleep(1.0)  # more than three time-outs
                running -= 1

        try:
            await asyncio.gather(long_update(), long_update())
        finally:
            await redis.aclose()
        assert overlaps == 0
