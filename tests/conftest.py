from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Dispatcher
from aiogram.types import ErrorEvent
from redis.asyncio import Redis

from bot import factory
from bot.app import Application
from bot.domain.clock import ManualClock
from bot.factory import create_bot, create_dispatcher
from bot.settings import Settings
from bot.storage.sqlite.database import Database
from fake_telegram import DirectSession, FakeTelegram
from testkit.fixtures.out_of_process import OutOfProcessTier
from testkit.harness import BotHarness, Person, fake_telegram
from testkit.postgres import PostgresTestDatabase, postgres_url, services_required
from testkit.postgres import unreachable_reason as postgres_unreachable
from testkit.redis import redis_url
from testkit.redis import unreachable_reason as redis_unreachable
from testkit.services import fresh_services

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
def settings_overrides() -> dict[str, Any]:
    """Settings a module changes for all its tests: override this fixture (or ``settings``,
    taking and copying it), never build ``Settings`` anew, so the cluster variant gets them."""
    return {}


@pytest.fixture
async def settings(
    tmp_path: Path,
    bot_backend: str,
    settings_overrides: dict[str, Any],
    request: pytest.FixtureRequest,
) -> AsyncIterator[Settings]:
    """The bot's settings; on the cluster backend with a fresh PostgreSQL schema and Redis
    key prefix of the test's own (``DATABASE_URL``, ``REDIS_URL``), dropped afterwards."""
    base = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_path=tmp_path / "bot.sqlite3",
        sms_outbox_path=tmp_path / "sms.jsonl",
        operators_chat_id=OPERATORS_CHAT,
        # Scripted tests type faster than people; flood control has its own tests.
        throttle_messages=0,
        **settings_overrides,
    )
    if bot_backend == "sqlite":
        yield base
        return
    async with cluster_settings(base, request.getfixturevalue("cluster_services")) as configured:
        yield configured


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[BotDatabase]:
    """The database the bot of the test uses: SQLite's file, or on the cluster backend a
    pool of its own on the same PostgreSQL schema, with SQLite's ``fetchone``/``fetchall``/
    ``execute`` (``?`` placeholders) for the test's own reads and changes."""
    db = bot_database(settings)
    await db.connect()
    yield db
    await db.close()


BotDatabase = Database | PostgresTestDatabase


def bot_database(settings: Settings) -> BotDatabase:
    """A new handle (not connected) on the database of ``settings``: its SQLite file, or
    its PostgreSQL schema through a pool of its own (a restarted bot, a second process)."""
    if settings.postgres_url is not None:
        return PostgresTestDatabase(settings.postgres_url, pool_size=2)
    return Database(settings.database_path)


@asynccontextmanager
async def running_bot(
    settings: Settings, clock: ManualClock, telegram: FakeTelegram
) -> AsyncIterator[tuple[BotHarness, BotDatabase]]:
    """A bot started on the database of ``settings`` as the ``dispatcher`` fixture starts
    one (on the cluster the Application's wiring, dialogues in Redis), and a handle on that
    database; both stopped when the block ends, so a second block is a restart."""
    async with AsyncExitStack() as stack:
        database = bot_database(settings)
        await database.connect()
        stack.push_async_callback(database.close)
        if settings.postgres_url is None:
            dispatcher = create_dispatcher(settings, database, clock=clock)
        else:
            application = Application(settings, clock=clock, session=DirectSession(telegram))
            dispatcher = (await stack.enter_async_context(application)).dispatcher
        bot = create_bot(settings, session=DirectSession(telegram))
        stack.push_async_callback(bot.session.close)
        yield BotHarness(dispatcher, bot, telegram), database


async def table_names(database: BotDatabase) -> list[str]:
    """The tables of the bot's database (of the test's schema on PostgreSQL)."""
    if isinstance(database, PostgresTestDatabase):
        sql = (
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return [row[0] for row in await database.fetchall(sql)]


async def stored_dialogues(
    settings: Settings, database: BotDatabase, user_id: int | None = None
) -> list[str]:
    """Every dialogue state and data as stored (of ``user_id`` if given): the
    ``fsm_sessions`` rows' data, or with Redis (the cluster backend) every value under the
    test's key prefix but the chats' locks."""
    if settings.redis_url is None:
        sql, params = "SELECT data FROM fsm_sessions", ()
        if user_id is not None:
            sql, params = f"{sql} WHERE user_id = ?", (user_id,)
        return [row["data"] for row in await database.fetchall(sql, params)]
    # Keys read <prefix>:<bot>:<chat>:<user>:<destiny>:<part> (aiogram's key builder).
    marker = "" if user_id is None else f":{user_id}:"
    client = Redis.from_url(settings.redis_url, decode_responses=True)
    try:
        keys = [
            key
            async for key in client.scan_iter(match=f"{settings.redis_prefix}:*")
            if marker in key and not key.endswith(":lock")
        ]
        values = [value for value in await client.mget(keys) if value is not None] if keys else []
    finally:
        await client.aclose()
    return [_readable(value) for value in values]


def _readable(value: str) -> str:
    """A JSON value with its letters as typed (aiogram's RedisStorage escapes non-ASCII)."""
    try:
        return json.dumps(json.loads(value), ensure_ascii=False)
    except ValueError:
        return value  # a state's name


DISK_FULL = "database or disk is full"


@asynccontextmanager
async def failing_writes(database: BotDatabase, table: str, event: str) -> AsyncIterator[str]:
    """Every ``event`` (INSERT, UPDATE, DELETE) on ``table`` fails as on a full disk while
    reads go on, until the block ends: a trigger of the database's own dialect. The block
    gets the class of the error the bot then sees, as its logs name it."""
    trigger = f"{table}_disk_full"
    if isinstance(database, PostgresTestDatabase):
        await database.execute(
            f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN RAISE EXCEPTION '{DISK_FULL}' USING ERRCODE = 'disk_full'; END $$;"
            f" CREATE TRIGGER {trigger} BEFORE {event} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {trigger}()"
        )
        drop, error = (
            f"DROP TRIGGER {trigger} ON {table}; DROP FUNCTION {trigger}()",
            "DiskFullError",
        )
    else:
        await database.execute(
            f"CREATE TRIGGER {trigger} BEFORE {event} ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{DISK_FULL}'); END"
        )
        drop, error = f"DROP TRIGGER {trigger}", "IntegrityError"
    try:
        yield error
    finally:
        await database.execute(drop)


# Every test of these folders that drives the bot (it takes ``dispatcher``, ``harness``,
# ``database`` or ``settings``) runs twice: on SQLite, and as a cluster process runs, on
# PostgreSQL (a fresh schema) and Redis (a fresh key prefix, dialogues in aiogram's
# RedisStorage). ``settings`` and ``database`` follow the backend, so a test's own reads
# and changes reach the bot's database either way. A test (or a module, by ``pytestmark``)
# that only means something on SQLite is marked ``sqlite_only(reason=...)``: the file's
# bytes, its log, PRAGMAs, a backup of the file, the manual clock where Redis keeps time.
# A test that asks for ``cluster_services`` itself builds its own cluster and runs once.
# The storage tests run on both through tests/storage's ``store``; the out-of-process
# tiers have their own cluster runs (tests/hardening/test_cluster*.py, the fixture runner).
TESTS = Path(__file__).parent
CLUSTER_BACKEND_FOLDERS = (TESTS, TESTS / "dialogues", TESTS / "hardening")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bot_backend" in metafunc.fixturenames and _on_both_backends(metafunc):
        metafunc.parametrize("bot_backend", ["sqlite", "cluster"], indirect=True)


def _on_both_backends(metafunc: pytest.Metafunc) -> bool:
    if metafunc.definition.path.parent not in CLUSTER_BACKEND_FOLDERS:
        return False
    if "cluster_services" in metafunc.fixturenames:
        return False  # the test builds its cluster itself (tests/hardening/test_cluster*.py)
    marker = metafunc.definition.get_closest_marker("sqlite_only")
    if marker is None:
        return True
    if not marker.kwargs.get("reason"):
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: sqlite_only needs a reason=")
    return False


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
    async with fresh_services(*services) as fresh:
        yield base.model_copy(
            update={
                "database_url": fresh.database_url,
                "database_pool_size": 4,
                "redis_url": fresh.redis_url,
                "redis_prefix": fresh.redis_prefix,
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
    database: BotDatabase,
    clock: ManualClock,
    bot_backend: str,
    telegram: FakeTelegram,
) -> AsyncIterator[Dispatcher]:
    if bot_backend == "sqlite":
        yield create_dispatcher(settings, database, clock=clock)
        return
    # A module that built its own Settings instead of overriding ``settings_overrides``
    # would run its [cluster] tests on SQLite: say so rather than pass.
    assert settings.postgres_url and settings.redis_url, "cluster test on non-cluster settings"
    # The application's own wiring, with the harness's bot instead of its own.
    application = Application(settings, clock=clock, session=DirectSession(telegram))
    async with application:
        yield application.dispatcher


StartDispatcher = Callable[
    [Settings, BotDatabase, ManualClock, FakeTelegram], Awaitable[Dispatcher]
]


@pytest.fixture
async def start_dispatcher(settings: Settings) -> AsyncIterator[StartDispatcher]:
    """Starts a dispatcher of other settings (or a second one) as the ``dispatcher`` fixture
    starts its own: on SQLite ``create_dispatcher`` over ``database``; on the cluster an
    Application of the settings (dialogues, flood control, membership in Redis) whose bot
    talks to ``telegram``, stopped after the test, before its schema is dropped."""
    async with AsyncExitStack() as stack:

        async def start(
            configured: Settings, database: BotDatabase, clock: ManualClock, telegram: FakeTelegram
        ) -> Dispatcher:
            if configured.postgres_url is None:
                return create_dispatcher(configured, database, clock=clock)
            application = Application(configured, clock=clock, session=DirectSession(telegram))
            return (await stack.enter_async_context(application)).dispatcher

        yield start


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
