"""Metrics, /healthz and /readyz (bot/observability): a scripted dialogue, then a scrape."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Dispatcher
from aiogram.exceptions import TelegramRetryAfter
from prometheus_client.parser import text_string_to_metric_families

from bot.domain.clock import ManualClock
from bot.factory import create_dispatcher
from bot.observability.metrics import METRIC_NAMES, BotMetrics, create_metrics
from bot.observability.server import (
    MetricsServer,
    instrument,
    readiness_checks,
)
from bot.settings import Settings
from bot.storage.backends import Backend
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.operations import SQLiteOperationsRepository
from testkit.harness import BotHarness, Person
from tests.desk_helpers import card_of, file_consultation

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def metrics() -> BotMetrics:
    return BotMetrics()


@pytest.fixture
def dispatcher(
    settings: Settings, database: Database, clock: ManualClock, metrics: BotMetrics
) -> Dispatcher:
    return create_dispatcher(settings, database, clock=clock, metrics=metrics)


@pytest.fixture
async def server(
    settings: Settings,
    harness: BotHarness,
    database: Database,
    clock: ManualClock,
    metrics: BotMetrics,
) -> AsyncIterator[MetricsServer]:
    instrument(metrics, bot=harness.bot, database=database)
    server = MetricsServer(
        metrics,
        SQLiteOperationsRepository(database).snapshot,
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
    assert value(samples, "bot_outbox_backlog", audience="citizen") == 0
    assert value(samples, "bot_inbox_backlog") == 0
    assert value(samples, "bot_db_operation_duration_seconds_count", operation="read") > 0
    assert value(samples, "bot_db_operation_duration_seconds_count", operation="write") > 0

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
    server: MetricsServer, database: Database
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
