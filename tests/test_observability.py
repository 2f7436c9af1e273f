"""Metrics, /healthz and /readyz (bot/observability): a scripted dialogue, then a scrape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiogram import Dispatcher
from aiogram.exceptions import TelegramRetryAfter
from aiogram.fsm.storage.redis import RedisStorage
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Application
from bot.domain.clock import ManualClock
from bot.factory import create_dispatcher
from bot.observability.metrics import METRIC_NAMES, BotMetrics, create_metrics
from bot.observability.server import (
    MetricsServer,
    instrument,
    readiness_checks,
    serving_metrics,
)
from bot.settings import Settings
from bot.storage.backends import Backend
from bot.storage.postgres.database import PostgresDatabase, statement_operation
from bot.storage.sqlite.operations import Backlog, OperationsSnapshot
from fake_telegram import DirectSession
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, BotDatabase, cluster_settings
from tests.desk_helpers import card_of, file_consultation

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def metrics() -> BotMetrics:
    return BotMetrics()


@pytest.fixture
def dispatcher(
    settings: Settings, database: BotDatabase, clock: ManualClock, metrics: BotMetrics
) -> Dispatcher:
    return create_dispatcher(settings, database, clock=clock, metrics=metrics)


@pytest.fixture
async def server(
    settings: Settings,
    harness: BotHarness,
    database: BotDatabase,
    clock: ManualClock,
    metrics: BotMetrics,
) -> AsyncIterator[MetricsServer]:
    instrument(metrics, bot=harness.bot, database=database)
    server = MetricsServer(
        metrics,
        Backend(database).operations.snapshot,
        readiness_checks(settings, harness.bot, {"database": Backend(database).check_health}),
        clock.now,
    )
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


async def get(server: MetricsServer, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, await response.text()


async def scrape(server: MetricsServer) -> Samples:
    status, text = await get(server, "/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_after_a_scripted_dialogue(
    server: MetricsServer,
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    other_citizen: Person,
    clock: ManualClock,
) -> None:
    number = await file_consultation(harness, citizen)  # /appeal, 2 texts; 2 presses
    clock.advance(minutes=10)
    card = card_of(harness, number)
    await harness.send_to_group(
        operator, forum, "Смотрите раздел «Пенсия»", thread_id=card.thread_id
    )
    await harness.consent(other_citizen)
    await harness.send(other_citizen, "/phone")
    await harness.send(other_citizen, "+79123456789")
    harness.telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(TelegramRetryAfter):
        await harness.bot.send_message(citizen.id, "проверка")
    # A second appeal waits in the outbox for a minute: the backlog and its age show.
    harness.auto_deliver = False
    await file_consultation(harness, other_citizen)
    clock.advance(minutes=1)

    samples = await scrape(server)

    assert set(METRIC_NAMES) <= {
        name.removesuffix("_count")
        .removesuffix("_bucket")
        .removesuffix("_sum")
        .removesuffix("_created")
        for name, _ in samples
    }
    # 3 + 3 + 2 messages of the citizens, 1 of the operator; 2 + 2 presses.
    assert value(samples, "bot_updates_total", type="message", outcome="handled") == 9
    assert value(samples, "bot_updates_total", type="callback_query", outcome="handled") == 4
    assert value(samples, "bot_updates_total", type="message", outcome="error") == 0
    assert value(samples, "bot_handler_duration_seconds_count", type="message") == 9
    assert value(samples, "bot_telegram_requests_total", method="sendMessage", result="429") == 1
    assert value(samples, "bot_telegram_requests_total", method="sendMessage", result="ok") >= 5
    assert value(samples, "bot_telegram_retry_after_seconds_count") == 1
    assert value(samples, "bot_telegram_retry_after_seconds_sum") == 7
    assert value(samples, "bot_appeals_filed_total", type="consultation") == 2
    assert value(samples, "bot_open_appeals", status="new") == 1
    assert value(samples, "bot_open_appeals", status="answered") == 1
    assert value(samples, "bot_first_response_seconds_count") == 1
    assert value(samples, "bot_first_response_seconds_sum") == 600
    assert value(samples, "bot_sms_total", result="sent") == 1
    assert value(samples, "bot_sms_total", result="failed") == 0
    assert value(samples, "bot_outbox_backlog", audience="operators") >= 1
    assert value(samples, "bot_outbox_oldest_age_seconds", audience="operators") == 60
    assert value(samples, "bot_outbox_backlog", audience="citizens") == 0
    assert value(samples, "bot_outbox_backlog", audience="supervisors") == 0
    assert value(samples, "bot_inbox_backlog") == 0
    assert value(samples, "bot_db_operation_duration_seconds_count", operation="read") > 0
    assert value(samples, "bot_db_operation_duration_seconds_count", operation="write") > 0
    # Every update takes its chat's lock once; the dialogues read and write their state.
    updates = sum(v for (name, _), v in samples.items() if name == "bot_updates_total")
    assert value(samples, "bot_fsm_operation_duration_seconds_count", operation="lock") == updates
    assert value(samples, "bot_fsm_operation_duration_seconds_count", operation="get_data") > 0
    assert value(samples, "bot_fsm_operation_duration_seconds_count", operation="set_data") > 0

    await harness.deliver()
    samples = await scrape(server)
    assert value(samples, "bot_outbox_backlog", audience="operators") == 0
    assert value(samples, "bot_outbox_oldest_age_seconds", audience="operators") == 0


async def test_health_and_readiness(server: MetricsServer, harness: BotHarness) -> None:
    assert (await get(server, "/healthz"))[0] == 200
    status, text = await get(server, "/readyz")
    assert status == 200, text
    assert '"database": "ok"' in text and '"telegram": "ok"' in text

    harness.session.fail_network_next("getMe")
    status, text = await get(server, "/readyz")
    assert status == 503
    assert '"telegram": "failed: TelegramNetworkError"' in text
    assert (await get(server, "/healthz"))[0] == 200


async def test_readiness_fails_without_the_database(
    server: MetricsServer, database: BotDatabase
) -> None:
    await database.close()
    status, text = await get(server, "/readyz")
    assert status == 503
    assert '"database": "failed: ' in text


def test_metrics_are_off_unless_a_port_is_set() -> None:
    assert Settings(_env_file=None).metrics_port is None
    assert Settings(_env_file=None, metrics_port="").metrics_port is None
    assert create_metrics(Settings(_env_file=None).metrics_port) is None
    enabled = Settings(_env_file=None, metrics_port="9100")
    assert enabled.metrics_port == 9100 and enabled.metrics_host == "127.0.0.1"
    assert isinstance(create_metrics(enabled.metrics_port), BotMetrics)


SUPERVISORS_CHAT = -1002000000002


async def test_metrics_of_a_cluster_process_after_a_scripted_dialogue(
    tmp_path: Path,
    clock: ManualClock,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    cluster_services: tuple[str, str],
) -> None:
    """PostgreSQL and Redis as a cluster process runs them: the Application's own wiring,
    served by ``serving_metrics`` as ``python -m bot`` serves it."""
    base = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        sms_outbox_path=tmp_path / "sms.jsonl",
        operators_chat_id=OPERATORS_CHAT,
        supervisors_chat_id=SUPERVISORS_CHAT,
        sla_first_response="consultation:2h",
        throttle_messages=0,
        metrics_port=0,
    )
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT, forum=True)
    telegram.add_group("Руководители", chat_id=SUPERVISORS_CHAT)
    async with (
        cluster_settings(base, cluster_services) as configured,
        Application(configured, clock=clock, session=DirectSession(telegram)) as application,
        serving_metrics(application) as server,
    ):
        assert server is not None
        assert isinstance(application.backend.database, PostgresDatabase)
        assert isinstance(application.fsm.storage, RedisStorage)
        harness = BotHarness(application.dispatcher, application.bot, telegram)
        harness.set_member(OPERATORS_CHAT, operator)

        number = await file_consultation(harness, citizen)  # 3 messages, 2 presses
        clock.advance(minutes=10)
        card = card_of(harness, number)
        await harness.send_to_group(
            operator, OPERATORS_CHAT, "Смотрите раздел «Пенсия»", thread_id=card.thread_id
        )
        harness.auto_deliver = False
        await file_consultation(harness, other_citizen)  # its card waits in the outbox
        clock.advance(hours=3)  # the second appeal's first answer is an hour late
        deadlines = application.dispatcher.workflow_data["deadlines"]
        assert await deadlines.check() == 1  # the supervisors' message, and the card's update
        clock.advance(minutes=1)

        samples = await scrape(server)
        again = await scrape(server)
        # A scrape reads the database once (one snapshot): nothing else is counted in between.
        assert (
            value(again, DB_COUNT, operation="read")
            == value(samples, DB_COUNT, operation="read") + 1
        )
        for operation in ("write", "transaction"):
            assert value(again, DB_COUNT, operation=operation) == value(
                samples, DB_COUNT, operation=operation
            )

        updates = sum(v for (name, _), v in samples.items() if name == "bot_updates_total")
        # 3 + 3 messages of the citizens, 1 of the operator; 2 + 2 presses.
        assert value(samples, "bot_updates_total", type="message", outcome="handled") == 7
        assert value(samples, "bot_updates_total", type="callback_query", outcome="handled") == 4
        assert value(samples, "bot_updates_total", type="message", outcome="error") == 0
        assert value(samples, "bot_appeals_filed_total", type="consultation") == 2
        assert value(samples, "bot_open_appeals", status="new") == 1
        assert value(samples, "bot_open_appeals", status="answered") == 1
        assert value(samples, "bot_first_response_seconds_sum") == 600

        # The outbox by audience: the second card for the operators since filing, the
        # escalation for the supervisors since the check; nothing for the citizens.
        async with application.backend.database.reading() as connection:
            pending = await connection.fetch(
                "SELECT audience, payload->>'to' AS recipient FROM outbox WHERE status = 'pending'"
            )
        supervisors = sum(row["recipient"] == "supervisors" for row in pending)
        operators = sum(row["audience"] == "operators" for row in pending) - supervisors
        assert supervisors == 1 and operators >= 1
        assert value(samples, "bot_outbox_backlog", audience="supervisors") == supervisors
        assert value(samples, "bot_outbox_oldest_age_seconds", audience="supervisors") == 60
        assert value(samples, "bot_outbox_backlog", audience="operators") == operators
        assert (
            value(samples, "bot_outbox_oldest_age_seconds", audience="operators") == 3 * 3600 + 60
        )
        assert value(samples, "bot_outbox_backlog", audience="citizens") == 0
        assert value(samples, "bot_outbox_oldest_age_seconds", audience="citizens") == 0
        assert not any(
            name.startswith("bot_outbox") and dict(labels).keys() - {"audience"}
            for name, labels in samples
        )

        # asyncpg's operations, timed as SQLite's are.
        for operation in ("read", "write", "transaction"):
            assert value(samples, DB_COUNT, operation=operation) > 0, operation
        # Redis's FSM storage: every update took its chat's lock once, the dialogues read and
        # wrote their state and data.
        assert value(samples, FSM_COUNT, operation="lock") == updates
        for operation in ("get_state", "set_state", "get_data", "set_data"):
            assert value(samples, FSM_COUNT, operation=operation) > 0, operation

        await harness.deliver()
        samples = await scrape(server)
        for audience in ("citizens", "operators", "supervisors"):
            assert value(samples, "bot_outbox_backlog", audience=audience) == 0, audience
        assert [m.text.split("\n")[0] for m in harness.messages_in(SUPERVISORS_CHAT)] == [
            "🚨 Нарушен срок · № 2026-000002"
        ]


DB_COUNT = "bot_db_operation_duration_seconds_count"
FSM_COUNT = "bot_fsm_operation_duration_seconds_count"


@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("SELECT * FROM appeals WHERE id = $1", "read"),
        ("  select updated_at from fsm_sessions", "read"),
        ("SELECT id FROM outbox WHERE id = $1 FOR UPDATE SKIP LOCKED", "write"),
        ("WITH taken AS (SELECT id FROM outbox) UPDATE outbox SET status = 'x'", "write"),
        ("INSERT INTO consents VALUES ($1) ON CONFLICT DO NOTHING", "write"),
        ("UPDATE processed_updates SET status = 'done'", "write"),
        ("DELETE FROM processed_updates", "write"),
        ("VACUUM appeals", "write"),
    ],
)
def test_a_postgres_statement_counts_as_a_read_or_a_write(sql: str, operation: str) -> None:
    assert statement_operation(sql) == operation


def test_the_outbox_is_labelled_by_audience_never_by_chat() -> None:
    """Three series whatever the backlog holds; a recipient the bot does not know is left out."""
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    metrics = BotMetrics()
    metrics.update_from(
        OperationsSnapshot(
            outbox={
                "citizen": Backlog(3, datetime(2026, 11, 23, 11, 59, tzinfo=UTC)),
                "supervisors": Backlog(1, now),
                "-1001234567890": Backlog(7, now),
            }
        ),
        now,
    )
    series = {
        (sample.name, sample.labels["audience"]): sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        if family.name.startswith("bot_outbox")
        for sample in family.samples
    }
    assert series == {
        ("bot_outbox_backlog", "citizens"): 3,
        ("bot_outbox_backlog", "operators"): 0,
        ("bot_outbox_backlog", "supervisors"): 1,
        ("bot_outbox_oldest_age_seconds", "citizens"): 60,
        ("bot_outbox_oldest_age_seconds", "operators"): 0,
        ("bot_outbox_oldest_age_seconds", "supervisors"): 0,
    }
