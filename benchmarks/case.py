"""One measured case: one storage, one load shape, one size.

The dispatcher comes from the project's factory with the storage under test;
updates go through ``Dispatcher.feed_raw_update`` (parsed into ``Update``
objects as polling does) and the real handlers answer through the benchmark's
lean Bot API session (``LeanSession``). Run as ``python -m benchmarks.case '<json>'`` the case has
a process of its own, so its peak memory is its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg
from aiogram import Bot, Dispatcher

from benchmarks import seed
from benchmarks.measure import LatencyHistogram, peak_rss_mib, rss_mib
from benchmarks.storages import POSTGRES_REDIS, PROCESS, SERVER_BACKED, create_storage
from benchmarks.workload import SCRIPT, Citizen, LeanSession, UpdateFactory, citizen, filed_number
from bot.app import Application
from bot.factory import create_bot, create_dispatcher
from bot.runtime import settle_heap
from bot.settings import Settings
from bot.storage.sqlite.archive import count_appeals
from bot.storage.sqlite.database import Database, Durability
from testkit.postgres import postgres_url
from testkit.redis import redis_url
from testkit.services import fresh_services

RESULT_MARK = "BENCHMARK-RESULT "
BOT_TOKEN = "123456789:BENCHMARK-token"
# The Bot API here answers at once and has no limits: the replies' pacing (30 messages a
# second by default, Telegram's limit) would make every storage's row read 27 updates/s.
# It stays in the chain, so its cost per call is measured; Telegram's limits are the
# end-to-end benchmark's (benchmarks/e2e.py).
UNPACED = 1_000_000


@dataclass(frozen=True)
class Case:
    storage: str
    shape: str  # "closed" or "open"
    citizens: int
    concurrency: int = 64  # closed loop: citizens in flight; open loop: warm-up only
    rate: float = 300.0  # open loop: updates per second
    duration: float = 30.0  # open loop: seconds of arrivals
    appeals: int = 1_000_000  # archived appeals in the database
    workdir: str = ".bench"
    profile: str | None = None  # a directory for a pyinstrument report
    durability: str = "full"  # see benchmarks.storages.DURABILITIES


class ErrorCount(logging.Handler):
    """Errors the dispatcher's error handler reported (the citizen saw an apology)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None and record.exc_info and record.exc_info[1] is not None:
            self.first = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"[:200]


@contextmanager
def counting_errors() -> Iterator[ErrorCount]:
    counter = ErrorCount()
    logger = logging.getLogger("bot.factory")
    logger.addHandler(counter)
    logger.propagate = False
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.propagate = True


class Driver:
    """Sends a citizen's next update and checks the answer."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, session: LeanSession, archive_size: int
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.session = session
        self.factory = UpdateFactory(
            lambda generator: seed.random_archived_number(archive_size, generator),
            lambda chat_id: session.buttons.get(chat_id, {}),
        )
        self.latency = LatencyHistogram()
        self.updates = 0
        self.unanswered = 0
        self.confirmed = 0
        self.confirmations_without_number = 0
        self.arrivals_dropped = 0

    async def send(
        self, person: Citizen, arrived: float | None = None, measured: bool = True
    ) -> None:
        step = SCRIPT[person.position]
        update = step.build(self.factory, person)
        begin = time.perf_counter() if arrived is None else arrived
        await self.dispatcher.feed_raw_update(self.bot, update)
        if measured:
            self.latency.add(time.perf_counter() - begin)
            self.updates += 1
        replies = self.session.take_replies(person.user_id)
        if not replies:
            self.unanswered += 1
        if step.expects_number:
            number = filed_number(replies)
            if number is None:
                self.confirmations_without_number += 1
            else:
                self.confirmed += 1
                person.own_number = number
        person.position = (person.position + 1) % len(SCRIPT)


async def closed_loop(driver: Driver, citizens: int, concurrency: int) -> float:
    """Each of ``concurrency`` workers walks citizens through the whole script."""
    queue = iter(range(citizens))

    async def worker() -> None:
        for index in queue:
            person = citizen(index)
            for _ in SCRIPT:
                await driver.send(person)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, citizens))))
    return time.perf_counter() - started


async def warm_up(driver: Driver, people: list[Citizen], concurrency: int) -> None:
    """Put every citizen at a random step of the script, as in a working day."""
    generator = random.Random(7)
    targets = {person.user_id: generator.randrange(len(SCRIPT)) for person in people}
    queue = iter(people)

    async def worker() -> None:
        for person in queue:
            for _ in range(targets[person.user_id]):
                await driver.send(person, measured=False)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(people)))))


async def open_loop(driver: Driver, people: list[Citizen], rate: float, duration: float) -> float:
    """Updates arrive at a fixed rate whatever the bot's pace; latency counts from arrival.

    An arrival finding every citizen still waiting for an answer is dropped
    and counted: the bot is overloaded, and the report says so.
    """
    ready = deque(people)
    random.Random(11).shuffle(ready)
    running: set[asyncio.Task[None]] = set()

    async def deliver(person: Citizen, arrived: float) -> None:
        await driver.send(person, arrived)
        ready.append(person)

    interval = 1.0 / rate
    arrivals = int(duration * rate)
    started = time.perf_counter()
    for index in range(arrivals):
        arrival = started + index * interval
        delay = arrival - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if not ready:  # every citizen still waits for an answer: the bot is overloaded
            driver.arrivals_dropped += 1
            continue
        task = asyncio.create_task(deliver(ready.popleft(), arrival))
        running.add(task)
        task.add_done_callback(running.discard)
    await asyncio.gather(*running)
    return time.perf_counter() - started


async def run_case(case: Case) -> dict[str, Any]:
    workdir = Path(case.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if case.storage in SERVER_BACKED:
        return await _run_server_backed_case(case, workdir)
    template = await seed.template(workdir, case.appeals)
    with tempfile.TemporaryDirectory(dir=workdir) as scratch, counting_errors() as errors:
        scratch_path = Path(scratch)
        database_path = scratch_path / "bot.sqlite3"
        seed.copy_template(template, database_path)
        # The bot's tables commit at the case's durability whatever the FSM storage.
        database = Database(database_path, durability=_bot_durability(case.durability))
        await database.connect()
        try:
            result = await _measure(case, database, scratch_path)
        finally:
            await database.close()
        result["errors"] = errors.count
        result["first_error"] = errors.first
    return result


async def _run_server_backed_case(case: Case, workdir: Path) -> dict[str, Any]:
    """The bot as a cluster process runs it: PostgreSQL for data, PostgreSQL or Redis for the
    FSM, on a fresh schema (no archive: ``appeals`` is not seeded) and key prefix."""
    postgres, redis = postgres_url(), redis_url()
    check = await asyncpg.connect(postgres)
    try:
        synchronous_commit = await check.fetchval("SHOW synchronous_commit")
    finally:
        await check.close()
    with tempfile.TemporaryDirectory(dir=workdir) as scratch, counting_errors() as errors:
        async with fresh_services(postgres, redis) as fresh:
            settings = Settings(
                _env_file=None,
                bot_token=BOT_TOKEN,
                database_url=fresh.database_url,
                database_pool_size=10,
                redis_url=redis if case.storage == POSTGRES_REDIS else None,
                redis_prefix=fresh.redis_prefix,
                sms_outbox_path=Path(scratch) / "sms.jsonl",
                operators_chat_id=-1001234567890,
                telegram_messages_per_second=UNPACED,
            )
            session = LeanSession()
            async with Application(settings, session=session) as application:

                async def count() -> int:
                    connection = await asyncpg.connect(settings.database_url)
                    try:
                        return int(await connection.fetchval("SELECT count(*) FROM appeals"))
                    finally:
                        await connection.close()

                result = await _drive(case, application.dispatcher, application.bot, session, count)
        result["appeals"] = 0
        result["synchronous_commit"] = synchronous_commit
        result["errors"] = errors.count
        result["first_error"] = errors.first
    return result


async def _measure(case: Case, database: Database, scratch: Path) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,
        bot_token=BOT_TOKEN,
        database_path=database.path,
        sms_outbox_path=scratch / "sms.jsonl",
        operators_chat_id=-1001234567890,
        telegram_messages_per_second=UNPACED,
    )
    storage = create_storage(case.storage, database, scratch, case.durability)
    dispatcher = create_dispatcher(settings, database, storage=storage)
    session = LeanSession()
    bot = create_bot(settings, session=session)
    try:
        return await _drive(case, dispatcher, bot, session, lambda: count_appeals(database))
    finally:
        await dispatcher.storage.close()
        await bot.session.close()


async def _drive(
    case: Case,
    dispatcher: Dispatcher,
    bot: Bot,
    session: LeanSession,
    count: Callable[[], Awaitable[int]],
) -> dict[str, Any]:
    settle_heap()  # as ``python -m bot`` does before it serves
    appeals_before = await count()
    driver = Driver(dispatcher, bot, session, case.appeals)
    if case.shape == "closed":
        baseline, cpu_before = rss_mib(), _cpu_seconds()
        with profiling(case):
            elapsed = await closed_loop(driver, case.citizens, case.concurrency)
    else:
        people = [citizen(index) for index in range(case.citizens)]
        await warm_up(driver, people, case.concurrency)
        baseline, cpu_before = rss_mib(), _cpu_seconds()
        with profiling(case):
            elapsed = await open_loop(driver, people, case.rate, case.duration)
    cpu = _cpu_seconds() - cpu_before
    appeals_filed = await count() - appeals_before
    peak = peak_rss_mib()
    latency = driver.latency
    return {
        **asdict(case),
        "updates": driver.updates,
        "elapsed_s": elapsed,
        "throughput": driver.updates / elapsed if elapsed else 0.0,
        "cpu_us_per_update": cpu / driver.updates * 1e6 if driver.updates else 0.0,
        "load_average": os.getloadavg()[0],
        "p50_ms": latency.percentile(0.50) * 1000,
        "p95_ms": latency.percentile(0.95) * 1000,
        "p99_ms": latency.percentile(0.99) * 1000,
        "max_ms": latency.maximum * 1000,
        "peak_rss_mib": peak,
        "rss_growth_mib": peak - baseline,
        "unanswered": driver.unanswered,
        "arrivals_dropped": driver.arrivals_dropped,
        "confirmed": driver.confirmed,
        "confirmations_without_number": driver.confirmations_without_number,
        "appeals_filed": appeals_filed,
    }


def _bot_durability(durability: str) -> Durability:
    return "process" if durability == PROCESS else "full"


def _cpu_seconds() -> float:
    """CPU time of this process, all threads (SQLite works in its own thread)."""
    times = os.times()
    return times.user + times.system


@contextmanager
def profiling(case: Case) -> Iterator[None]:
    if case.profile is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        folder = Path(case.profile)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{case.storage}-{case.shape}-{case.citizens}"
        (folder / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        (folder / f"{name}.html").write_text(profiler.output_html())


def main() -> None:
    case = Case(**json.loads(sys.argv[1]))
    result = asyncio.run(run_case(case))
    print(RESULT_MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
