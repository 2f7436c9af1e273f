from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Dispatcher
from aiogram.types import ErrorEvent

from bot import factory
from bot.app import Application
from bot.domain.clock import ManualClock
from bot.factory import create_bot, create_dispatcher
from bot.settings import Settings
from bot.storage.sqlite.database import Database
from fake_telegram import DirectSession, FakeTelegram
from testkit.fixtures.out_of_process import OutOfProcessTier
from testkit.harness import BotHarness, Person, fake_telegram
from testkit.postgres import fresh_schema, postgres_url, services_required
from testkit.postgres import unreachable_reason as postgres_unreachable
from testkit.redis import fresh_prefix, redis_url
from testkit.redis import unreachable_reason as redis_unreachable

TEST_TOKEN = "123456789:TEST-token"
OPERATORS_CHAT = -1001234567890


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_unexpected_errors(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test fails on an ERROR log line or an exception that reached the error handler.

    The error handler answers the citizen with an apology and keeps the
    state, which looks like a refusal to a test of bad input: without this,
    a crash on bad input would pass as a polite «no». A test that provokes an
    error on purpose is marked ``errors_expected`` and checks the error itself.
    """
    if request.node.get_closest_marker("errors_expected"):
        yield
        return
    reached_handler: list[BaseException] = []
    report_error = factory.report_error

    async def watched_report_error(event: ErrorEvent, bot: Any) -> bool:
        reached_handler.append(event.exception)
        return await report_error(event, bot)

    # create_dispatcher looks the handler up when it wires a dispatcher, after this.
    monkeypatch.setattr(factory, "report_error", watched_report_error)
    errors = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        yield
    finally:
        root.removeHandler(errors)
    assert not reached_handler, f"exceptions reached the error handler: {reached_handler!r}"
    assert not errors.records, "ERROR log records: " + "; ".join(
        f"{record.name}: {record.getMessage()}" for record in errors.records
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_path=tmp_path / "bot.sqlite3",
        sms_outbox_path=tmp_path / "sms.jsonl",
        operators_chat_id=OPERATORS_CHAT,
        # Scripted tests type faster than people; flood control has its own tests.
        throttle_messages=0,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.database_path)
    await db.connect()
    yield db
    await db.close()


# The dispatcher-level tests that read nothing from the database themselves run twice: on
# SQLite, and as a cluster process runs (PostgreSQL and Redis): the dialogues, and the
# operators' desk modules below. (The storage tests run on both through tests/storage's
# ``store``; tests that take ``database`` or ``settings`` read or change SQLite themselves.)
CLUSTER_BACKEND_FOLDERS = ("dialogues",)
CLUSTER_BACKEND_MODULES = (
    "test_operator_desk",
    "test_callback_desk",
    "test_delivered_copies",
    "test_idle_appeals",
    "test_deadlines_desk",
    "test_assignment",
    "test_smoke",
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bot_backend" in metafunc.fixturenames and _on_both_backends(metafunc):
        metafunc.parametrize("bot_backend", ["sqlite", "cluster"], indirect=True)


def _on_both_backends(metafunc: pytest.Metafunc) -> bool:
    test_arguments = inspect.signature(metafunc.function).parameters
    path = metafunc.definition.path
    return (
        (path.parent.name in CLUSTER_BACKEND_FOLDERS or path.stem in CLUSTER_BACKEND_MODULES)
        and metafunc.definition.get_closest_marker("sqlite_only") is None
        and "database" not in test_arguments
        and "settings" not in test_arguments
    )


@pytest.fixture
def bot_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` (one process), or ``cluster``: PostgreSQL for data, Redis for dialogues."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def cluster_services() -> tuple[str, str]:
    """The test servers' URLs (PostgreSQL, Redis) once both answer; skips (CI: fails) else."""
    for url, probe in ((postgres_url(), postgres_unreachable), (redis_url(), redis_unreachable)):
        with ThreadPoolExecutor(max_workers=1) as thread:
            reason = thread.submit(asyncio.run, probe(url)).result()
        if reason is not None:
            if services_required():
                pytest.fail(f"REQUIRE_SERVICES=1: {reason}", pytrace=False)
            pytest.skip(reason)
    return postgres_url(), redis_url()


@asynccontextmanager
async def cluster_settings(base: Settings, services: tuple[str, str]) -> AsyncIterator[Settings]:
    """``base`` on a fresh PostgreSQL schema and under a fresh Redis key prefix."""
    postgres, redis = services
    async with fresh_schema(postgres) as schema, fresh_prefix(redis) as prefix:
        joiner = "&" if "?" in postgres else "?"
        yield base.model_copy(
            update={
                "database_url": f"{postgres}{joiner}search_path={schema}",
                "database_pool_size": 4,
                "redis_url": redis,
                "redis_prefix": prefix,
            }
        )


@pytest.fixture
def telegram() -> FakeTelegram:
    """The fake Telegram of in-process tests, called without HTTP (see ``DirectSession``).

    A deployment as the README sets it up: the bot is an admin of the operators' chat. The
    forum and group fixtures make it a forum or a plain group with operators.
    """
    return fake_telegram(TEST_TOKEN, OPERATORS_CHAT)


@pytest.fixture
async def dispatcher(
    settings: Settings,
    database: Database,
    clock: ManualClock,
    bot_backend: str,
    telegram: FakeTelegram,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Dispatcher]:
    if bot_backend == "sqlite":
        yield create_dispatcher(settings, database, clock=clock)
        return
    services = request.getfixturevalue("cluster_services")
    async with cluster_settings(settings, services) as configured:
        # The application's own wiring, with the harness's bot instead of its own.
        application = Application(configured, clock=clock, session=DirectSession(telegram))
        async with application:
            yield application.dispatcher


@pytest.fixture
async def harness(
    settings: Settings, dispatcher: Dispatcher, telegram: FakeTelegram
) -> AsyncIterator[BotHarness]:
    bot = create_bot(settings, session=DirectSession(telegram))
    yield BotHarness(dispatcher, bot, telegram)
    await bot.session.close()


@pytest.fixture
def citizen() -> Person:
    return Person(id=1001, first_name="Анна")


@pytest.fixture
async def consented(harness: BotHarness, citizen: Person) -> Person:
    """``citizen`` has agreed to the processing of personal data, so dialogues that collect it
    open at once (the consent screen has its own tests: tests/dialogues/test_consent.py)."""
    await harness.consent(citizen)
    return citizen


@pytest.fixture
def other_citizen() -> Person:
    return Person(id=1002, first_name="Борис")


class SmsOutbox:
    def __init__(self, path: Path) -> None:
        self.path = path

    def messages(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines()]

    def last_code(self) -> str:
        import re

        text = self.messages()[-1]["text"]
        match = re.search(r"\b(\d{6})\b", text)
        assert match, text
        return match.group(1)


@pytest.fixture
def sms(settings: Settings) -> SmsOutbox:
    return SmsOutbox(settings.sms_outbox_path)


@pytest.fixture
def operator() -> Person:
    return Person(id=2001, first_name="Ирина", username="irina")


@pytest.fixture
def second_operator() -> Person:
    return Person(id=2002, first_name="Пётр")


@pytest.fixture
def stranger() -> Person:
    """Neither a member of the operators' chat nor in OPERATOR_IDS."""
    return Person(id=3003, first_name="Чужой")


@pytest.fixture
def forum(harness: BotHarness, operator: Person, second_operator: Person) -> int:
    """The operators' chat as a forum supergroup with two operators."""
    harness.chat(OPERATORS_CHAT).is_forum = True
    harness.set_member(OPERATORS_CHAT, operator, "administrator")
    harness.set_member(OPERATORS_CHAT, second_operator, "member")
    return OPERATORS_CHAT


@pytest.fixture
def group(harness: BotHarness, operator: Person, second_operator: Person) -> int:
    """The operators' chat as a plain supergroup (no topics): cards threaded by reply."""
    harness.set_member(OPERATORS_CHAT, operator, "member")
    harness.set_member(OPERATORS_CHAT, second_operator, "member")
    return OPERATORS_CHAT


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def fixture_tier(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OutOfProcessTier]:
    """A fake Telegram server and a real bot process shared by the runner's own tests.

    The dialogue fixtures of tests/dialogues do not use it: tests/test_fixtures.py
    plays them on the runner's pool of jobs. A fixture with settings of its own
    starts its deployment when it first runs.
    """
    async with OutOfProcessTier(tmp_path_factory.mktemp("fixture-tier")) as tier:
        yield tier
