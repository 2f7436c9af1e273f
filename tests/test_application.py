"""The Application: what DATABASE_URL and REDIS_URL choose, and closing what it opened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiogram.fsm.storage.redis import RedisStorage

from bot import app as app_module
from bot.app import Application
from bot.domain.clock import ManualClock
from bot.settings import Settings
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.fsm import SQLiteStorage
from fake_telegram import DirectSession
from testkit.harness import BotHarness, Person, fake_telegram
from testkit.redis import keys_under
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, cluster_settings

pytestmark = pytest.mark.sqlite_only(
    reason="each test chooses its database: the default file, a SQLite URL or cluster_services"
)


async def start_consultation(harness: BotHarness, citizen: Person) -> None:
    await harness.consent(citizen)
    await harness.send(citizen, "/start")
    await harness.press(citizen, "Новое обращение")
    await harness.press(citizen, "Консультация")
    await harness.send(citizen, "Пособия")


async def finish_consultation(harness: BotHarness, citizen: Person) -> str:
    await harness.send(citizen, "Какие документы нужны?")
    replies = await harness.press(citizen, "Отправить")
    return replies[0].text


async def file_consultation(harness: BotHarness, citizen: Person) -> str:
    await start_consultation(harness, citizen)
    return await finish_consultation(harness, citizen)


async def test_by_default_the_bot_runs_on_its_sqlite_file(
    settings: Settings, clock: ManualClock, citizen: Person
) -> None:
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
    async with Application(settings, clock=clock, session=DirectSession(telegram)) as application:
        assert isinstance(application.backend.database, Database)
        assert application.backend.database.path == settings.database_path
        assert isinstance(application.dispatcher.storage, SQLiteStorage)
        harness = BotHarness(application.dispatcher, application.bot, telegram)
        assert "Номер: 2026-000001" in await file_consultation(harness, citizen)
        assert set(application.health_checks()) == {"database"}
        await application.health_checks()["database"]()
    assert application.backend.database._connection is None  # closed on the way out


async def test_a_sqlite_url_names_the_file(settings: Settings, tmp_path: Path) -> None:
    configured = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/other.db"})
    async with Application(
        configured, session=DirectSession(fake_telegram(TEST_TOKEN))
    ) as application:
        assert application.backend.database.path == tmp_path / "other.db"
    assert (tmp_path / "other.db").exists()


async def test_a_cluster_process_keeps_appeals_in_postgres_and_dialogues_in_redis(
    settings: Settings,
    clock: ManualClock,
    citizen: Person,
    cluster_services: tuple[str, str],
) -> None:
    async with cluster_settings(settings, cluster_services) as configured:
        telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
        async with Application(
            configured, clock=clock, session=DirectSession(telegram)
        ) as application:
            assert isinstance(application.backend.database, PostgresDatabase)
            assert isinstance(application.dispatcher.storage, RedisStorage)
            harness = BotHarness(application.dispatcher, application.bot, telegram)
            await start_consultation(harness, citizen)
            # The dialogue's state is in Redis, under this deployment's prefix, and expires.
            keys = await keys_under(configured.redis_url or "", configured.redis_prefix)
            mine = [key for key in keys if f":{citizen.id}:" in key]
            assert mine, keys
            assert application.redis is not None
            ttls = [await application.redis.ttl(key) for key in mine if not key.endswith(":lock")]
            assert ttls and all(0 < ttl <= configured.fsm_data_ttl_seconds for ttl in ttls)
            assert "Номер: 2026-000001" in await finish_consultation(harness, citizen)
            database = application.backend.database
            row = await database.pool.fetchrow("SELECT number, fields FROM appeals")
            assert row["number"] == "2026-000001"
            fields = row["fields"] if isinstance(row["fields"], dict) else json.loads(row["fields"])
            assert fields["topic"] == "Пособия"
            assert await database.pool.fetchval("SELECT count(*) FROM fsm_sessions") == 0
            await start_consultation(harness, citizen)
            assert set(application.health_checks()) == {"database", "redis"}
            for check in application.health_checks().values():
                await check()
            # Erasing the citizen's data deletes their dialogue keys too.
            await application.dispatcher["privacy"].forget(citizen.id)
            keys = await keys_under(configured.redis_url or "", configured.redis_prefix)
            assert not [key for key in keys if f":{citizen.id}:" in key]


async def test_a_failure_half_way_closes_what_was_opened(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Database] = []
    original = app_module.open_backend

    async def recording_open_backend(*args, **kwargs):  # type: ignore[no-untyped-def]
        backend = await original(*args, **kwargs)
        opened.append(backend.database)
        return backend

    def broken_dispatcher(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("broken help file")

    monkeypatch.setattr(app_module, "open_backend", recording_open_backend)
    monkeypatch.setattr(app_module, "create_dispatcher", broken_dispatcher)
    with pytest.raises(RuntimeError, match="broken help file"):
        async with Application(settings, session=DirectSession(fake_telegram(TEST_TOKEN))):
            pass
    assert opened and opened[0]._connection is None


async def test_the_send_budgets_in_redis_hold_for_all_processes_together(
    clock: ManualClock,
    cluster_services: tuple[str, str],
) -> None:
    from datetime import timedelta

    from redis.asyncio import Redis

    from bot.storage.redis_budget import RedisRateWindow
    from testkit.redis import fresh_prefix

    _, url = cluster_services
    async with fresh_prefix(url) as prefix:
        clients = [Redis.from_url(url) for _ in range(2)]
        try:
            # Two processes' windows on one key: three messages a minute between them.
            windows = [
                RedisRateWindow(
                    client, f"{prefix}:budget:operators", 3, timedelta(minutes=1), clock
                )
                for client in clients
            ]
            taken = [await windows[index % 2].try_take() for index in range(5)]
            assert taken == [True, True, True, False, False]
            clock.advance(seconds=30)
            assert not await windows[0].try_take()
            clock.advance(seconds=31)  # the first three are out of the window
            assert [await window.try_take() for window in windows] == [True, True]
        finally:
            for client in clients:
                await client.aclose()


async def test_a_once_per_cluster_job_runs_in_one_process_at_a_time(
    settings: Settings,
    cluster_services: tuple[str, str],
) -> None:
    from bot.storage.backends import open_backend

    async with cluster_settings(settings, cluster_services) as configured:
        url = configured.database_url or ""
        first, second = [await open_backend(url, pool_size=2) for _ in range(2)]
        try:
            async with first.once_per_cluster("retention") as holding:
                assert holding
                async with second.once_per_cluster("retention") as also:
                    assert not also  # the other process skips its turn, without waiting
                async with second.once_per_cluster("another job") as other:
                    assert other
            async with second.once_per_cluster("retention") as holding:
                assert holding  # released with the first one's transaction
        finally:
            await first.close()
            await second.close()


async def test_on_sqlite_the_one_process_always_holds_the_lock(settings: Settings) -> None:
    from bot.storage.backends import open_backend

    backend = await open_backend(f"sqlite:///{settings.database_path}", pool_size=1)
    try:
        async with backend.once_per_cluster("retention") as holding:
            assert holding
    finally:
        await backend.close()


async def test_flood_control_counts_in_redis_are_the_clusters(
    cluster_services: tuple[str, str],
) -> None:
    import asyncio

    from redis.asyncio import Redis

    from bot.storage.redis_budget import RedisWindows
    from testkit.redis import fresh_prefix

    _, url = cluster_services
    async with fresh_prefix(url) as prefix:
        clients = [Redis.from_url(url) for _ in range(2)]
        try:
            windows = [RedisWindows(client, f"{prefix}:throttle", 0.5) for client in clients]
            # A citizen's updates alternate between two processes: one count between them.
            assert [await windows[index % 2].count(7) for index in range(4)] == [1, 2, 3, 4]
            assert await windows[0].count(8) == 1  # each citizen has a window of their own
            await asyncio.sleep(0.6)
            assert await windows[1].count(7) == 1  # the window closed; a new one opens
        finally:
            for client in clients:
                await client.aclose()


async def test_operators_chat_membership_is_asked_once_for_the_cluster(
    settings: Settings,
    clock: ManualClock,
    cluster_services: tuple[str, str],
) -> None:
    from datetime import timedelta

    from redis.asyncio import Redis

    from bot.factory import create_bot
    from bot.services.operator_access import OperatorAccess
    from bot.storage.redis_budget import RedisOperatorAnswers
    from testkit.redis import fresh_prefix

    _, url = cluster_services
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
    telegram.set_member(OPERATORS_CHAT, telegram.add_user("Ирина", user_id=2001))
    telegram.add_user("Чужой", user_id=3003)
    bot = create_bot(settings, session=DirectSession(telegram))
    async with fresh_prefix(url) as prefix:
        clients = [Redis.from_url(url) for _ in range(2)]
        try:
            processes = [
                OperatorAccess(
                    (),
                    {OPERATORS_CHAT},
                    clock,
                    timedelta(seconds=60),
                    shared=RedisOperatorAnswers(client, f"{prefix}:op"),
                )
                for client in clients
            ]
            assert await processes[0].is_operator(bot, 2001)
            assert await processes[1].is_operator(bot, 2001)
            assert not await processes[1].is_operator(bot, 3003)
            assert not await processes[0].is_operator(bot, 3003)
            asked = telegram.calls_to("getChatMember")
            assert len(asked) == 2  # once per user, whichever process asked first
        finally:
            for client in clients:
                await client.aclose()
            await bot.session.close()


async def test_a_cluster_process_serves_metrics_read_from_postgres(
    settings: Settings,
    clock: ManualClock,
    citizen: Person,
    cluster_services: tuple[str, str],
) -> None:
    from bot.observability.server import MetricsServer, readiness_checks
    from tests.test_observability import get, scrape, value

    async with cluster_settings(settings, cluster_services) as configured:
        configured = configured.model_copy(update={"metrics_port": 0})
        telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
        async with Application(
            configured, clock=clock, session=DirectSession(telegram)
        ) as application:
            database = application.backend.database
            assert isinstance(database, PostgresDatabase)
            assert application.metrics is not None
            harness = BotHarness(application.dispatcher, application.bot, telegram)
            assert "Номер: 2026-000001" in await file_consultation(harness, citizen)
            server = MetricsServer(
                application.metrics,
                application.backend.operations.snapshot,
                readiness_checks(configured, application.bot, application.health_checks()),
                clock.now,
            )
            await server.start("127.0.0.1", 0)
            try:
                samples = await scrape(server)
                assert value(samples, "bot_open_appeals", status="new") == 1
                assert value(samples, "bot_appeals_filed_total", type="consultation") == 1
                async with database.reading() as connection:
                    pending = await connection.fetchval(
                        "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
                    )
                backlog = sum(
                    value(samples, "bot_outbox_backlog", audience=audience)
                    for audience in ("operators", "citizens", "supervisors")
                )
                assert backlog == pending
                assert value(samples, "bot_inbox_backlog") == 0
                status, _ = await get(server, "/healthz")
                assert status == 200
            finally:
                await server.stop()
