"""``python -m benchmarks.e2e``: the real bot process, end to end, at Telegram's pace and limits.

The bot runs as in production (``python -m bot``, long polling, SQLite at ``DURABILITY=full``)
against the fake Telegram server in this process, which answers every Bot API call after
``--latency`` (40 ms: a bot in a Moscow data centre, an assumption) and, unless ``--no-limits``,
enforces Telegram's limits: 30 messages a second per bot, one a second per private chat (bursts
of three), 20 a minute per group, 429 with ``retry_after`` beyond them (``fake_telegram.limits``).

Citizens are users of the fake and act as people do through its driver: they type, press the
buttons the bot showed them, send a photo. Each walks the written complaint (as
``benchmarks.workload.SCRIPT`` does), then ``/status`` of their appeal and ``/my``, and starts
again; after each reply a citizen thinks ``--think`` seconds before the next step.

* **Open loop** at each ``--rates`` value for ``--duration`` seconds: updates arrive at that
  rate from the next citizen who is not waiting; reply latency counts from the moment the update
  was queued at Telegram to the moment the bot's first visible answer (a message or an edited
  text, not a callback answer) is in the citizen's chat. A reply that does not come within
  ``--reply-timeout`` is counted as lost and the citizen starts over.
* **Burst**: ``--burst`` citizens walk to the complaint's review (paced below the bot limit),
  then press «Отправить» spread over ``--burst-window`` seconds; measured: the time from the
  first press until the card of every filed appeal is in the operators' chat.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import LatencyHistogram
from benchmarks.workload import ATTEMPTS, DESIRED, ERRORS, PHONES, TOPICS
from bot.domain.validators import find_appeal_number
from fake_telegram import ApiCall, FakeTelegram, FakeUser
from testkit.services import fresh_services

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LATENCY = 0.040
# What a citizen reads: a new message or a message's text edited. Callback answers and removed
# keyboards are not a reply.
VISIBLE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "editMessageText",
        "editMessageCaption",
    }
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the fake's call log, followed ------------------------------------------------------------


class ReplyWatch:
    """Follows the fake's call log: resolves a citizen's wait at the bot's first visible reply."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self._telegram = telegram
        self._cursor = 0
        self._open: list[ApiCall] = []
        self._waiting: dict[int, tuple[float, asyncio.Future[float]]] = {}
        self.refused: dict[str, int] = {}  # 429 answers per method
        self.failed: dict[str, int] = {}  # other error answers per "method status"
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        # The flag as well as the cancel: Python 3.11's wait_for can swallow a cancellation
        # that arrives as its inner wait completes, and the fake notifies very often.
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        """A future of the monotonic time of the next visible reply in the chat from now on."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = (time.monotonic(), future)
        return future

    def forget(self, chat_id: int) -> None:
        self._waiting.pop(chat_id, None)

    async def _run(self) -> None:
        while not self._stopping:
            self._scan()
            await self._telegram.changes.wait(0.05)

    def _scan(self) -> None:
        calls = self._telegram.call_log.calls
        self._open.extend(calls[self._cursor :])
        self._cursor = len(calls)
        still_open = []
        for call in self._open:
            if call.status is None:
                still_open.append(call)
                continue
            if call.status == 429:
                self.refused[call.method] = self.refused.get(call.method, 0) + 1
            elif call.status != 200:
                key = f"{call.method} {call.status}"
                self.failed[key] = self.failed.get(key, 0) + 1
            elif call.method in VISIBLE_METHODS:
                self._resolve(call)
        self._open = still_open

    def _resolve(self, call: ApiCall) -> None:
        try:
            chat_id = int(call.params.get("chat_id", 0))
        except (TypeError, ValueError):
            return
        waiting = self._waiting.get(chat_id)
        if waiting is None:
            return
        since, future = waiting
        if call.started_at >= since and not future.done():
            future.set_result(call.finished_at or time.monotonic())
            del self._waiting[chat_id]


# --- citizens ---------------------------------------------------------------------------------


class Derailed(Exception):
    """The button a citizen needs is not on the bot's latest message (a reply was lost)."""


@dataclass
class Person:
    user: FakeUser
    variant: int
    position: int = 0
    own_number: str | None = None
    ready_at: float = 0.0


Act = Callable[[FakeTelegram, Person], Awaitable[Any]]


def latest_button(telegram: FakeTelegram, person: Person, fragment: str) -> tuple[Any, str]:
    for message in reversed(telegram.bot_messages(person.user)):
        if message.deleted:
            continue
        for label in message.button_labels():
            if fragment in label:
                return message, label
        if message.inline_buttons():
            break  # the latest keyboard lacks it
    raise Derailed(fragment)


def press(fragment: str) -> Act:
    async def act(telegram: FakeTelegram, person: Person) -> Any:
        message, label = latest_button(telegram, person, fragment)
        return await telegram.press_button(person.user, message, label)

    return act


def typed(options: tuple[str, ...]) -> Act:
    async def act(telegram: FakeTelegram, person: Person) -> Any:
        return await telegram.send_text(person.user, options[person.variant % len(options)])

    return act


async def status_of_own(telegram: FakeTelegram, person: Person) -> Any:
    return await telegram.send_text(person.user, f"/status {person.own_number or '2026-000001'}")


@dataclass(frozen=True)
class Step:
    name: str
    act: Act
    optional: bool = False  # skipped when its button is not shown (consent, given once)
    files: bool = False  # the reply carries the appeal's number


SCRIPT: tuple[Step, ...] = (
    Step("start", lambda t, p: t.send_command(p.user, "start")),
    Step("menu: new appeal", press("Новое обращение")),
    Step("type: complaint", press("Жалоба")),
    Step("consent: agree", press("Согласен"), optional=True),
    Step("topic", typed(TOPICS)),
    Step("caller phone", typed(PHONES)),
    Step("attempts", typed(ATTEMPTS)),
    Step("errors", typed(ERRORS)),
    Step("desired result", typed(DESIRED)),
    Step("photo", lambda t, p: t.send_photo(p.user)),
    Step("attachments done", press("Готово")),
    Step("confirm", press("Отправить"), files=True),
    Step("status: own appeal", status_of_own),
    Step("my appeals", lambda t, p: t.send_command(p.user, "my")),
)
CONFIRM = next(index for index, step in enumerate(SCRIPT) if step.files)


@dataclass
class Tally:
    latencies: LatencyHistogram = field(default_factory=LatencyHistogram)
    sent: int = 0
    answered: int = 0
    lost: int = 0
    derailed: int = 0
    filed: list[str] = field(default_factory=list)
    dropped_arrivals: int = 0


class Driver:
    def __init__(self, telegram: FakeTelegram, watch: ReplyWatch, options: argparse.Namespace):
        self.telegram = telegram
        self.watch = watch
        self.options = options

    async def step(self, person: Person, tally: Tally) -> float | None:
        """Take the citizen's next step; the reply latency, or None (lost or derailed)."""
        step = SCRIPT[person.position]
        reply = self.watch.expect(person.user.id)
        queued = time.monotonic()
        try:
            await step.act(self.telegram, person)
        except Derailed:
            self.watch.forget(person.user.id)
            if step.optional:
                person.position += 1
                return await self.step(person, tally)
            tally.derailed += 1
            person.position = 0
            return None
        tally.sent += 1
        try:
            replied = await asyncio.wait_for(reply, self.options.reply_timeout)
        except TimeoutError:
            self.watch.forget(person.user.id)
            tally.lost += 1
            person.position = 0
            return None
        latency = replied - queued
        tally.answered += 1
        tally.latencies.add(latency)
        if step.files:
            await asyncio.sleep(0.1)  # the number may come in the reply's second message
            number = self._number_in_latest(person)
            if number is not None:
                person.own_number = number
                tally.filed.append(number)
        person.position = (person.position + 1) % len(SCRIPT)
        return latency

    def _number_in_latest(self, person: Person) -> str | None:
        for message in reversed(self.telegram.bot_messages(person.user)[-3:]):
            number = find_appeal_number(message.text or "")
            if number is not None:
                return number
        return None


# --- the bot process ----------------------------------------------------------------------------


@dataclass
class RunningBot:
    telegram: FakeTelegram
    process: asyncio.subprocess.Process
    operators: int  # the operators' chat id
    workdir: Path
    people: int = 0  # citizens created so far

    def cpu_seconds(self) -> float:
        """The bot's user + system time: the process and, with ``--workers``, its workers."""
        return sum(_cpu_seconds(pid) for pid in (self.process.pid, *_children(self.process.pid)))


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a worker that has exited
        return 0.0
    # utime, stime, and the times of children it has waited for
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except FileNotFoundError:
        return []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def deployment(options: argparse.Namespace, workdir: Path) -> AsyncIterator[dict[str, str]]:
    """The settings of the bot under test and how it takes updates (``--backend``).

    ``sqlite``: one process, long polling, SQLite. ``cluster``: ``python -m bot --workers N``
    on PostgreSQL (a fresh schema, dropped after) and Redis (a fresh key prefix), updates by
    webhook from the fake, as the cluster test and production run it.
    """
    if options.backend == "sqlite":
        yield {"DATABASE_PATH": str(workdir / "bot.sqlite3")}
        return
    async with fresh_services() as fresh:
        port = _free_port()
        yield {
            "DATABASE_URL": fresh.database_url,
            "REDIS_URL": fresh.redis_url,
            "REDIS_PREFIX": fresh.redis_prefix,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "WEBHOOK_SECRET": "e2e-benchmark-secret",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }


@contextlib.asynccontextmanager
async def running_bot(options: argparse.Namespace) -> AsyncIterator[RunningBot]:
    telegram = FakeTelegram(latency=options.latency)
    if options.limits:
        telegram.set_send_limits()
        telegram.set_group_flood_limit(20)
    async with telegram:
        operator = telegram.add_user("Оператор", user_id=900_000_001)
        group = telegram.add_group("Операторы", members=[operator], admins=[operator])
        with tempfile.TemporaryDirectory(prefix="e2e-") as scratch:
            workdir = Path(scratch)
            async with (
                deployment(options, workdir) as backend,
                _bot_process(telegram, options, workdir, backend, operator, group) as bot,
            ):
                yield bot


@contextlib.asynccontextmanager
async def _bot_process(
    telegram: FakeTelegram,
    options: argparse.Namespace,
    workdir: Path,
    backend: dict[str, str],
    operator: FakeUser,
    group: Any,
) -> AsyncIterator[RunningBot]:
    env = {
        **os.environ,
        **backend,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": telegram.token,
        "BOT_API_BASE_URL": telegram.base_url,
        "SMS_OUTBOX_PATH": str(workdir / "sms.jsonl"),
        "OPERATORS_CHAT_ID": str(group.id),
        "OPERATOR_IDS": str(operator.id),
        "DURABILITY": "full",
        "LOG_LEVEL": "INFO",
    }
    if not options.limits:
        # The bot's own ceiling: its replies' pacing at Telegram's 30 a second (per process)
        # would be the ceiling otherwise.
        env["TELEGRAM_MESSAGES_PER_SECOND"] = "1000000"
    with (workdir / "bot.log").open("wb") as log:
        workers = ["--workers", str(options.workers)] if options.backend == "cluster" else []
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *workers,
            cwd=workdir,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        try:
            await telegram.wait_until(
                lambda: started(telegram, options) or process.returncode is not None,
                timeout=90,
                description="the bot polls (or every worker set its webhook)",
            )
            if process.returncode is not None:
                raise RuntimeError((workdir / "bot.log").read_text()[-2000:])
            yield RunningBot(telegram, process, group.id, workdir)
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 20)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            errors = [
                line
                for line in (workdir / "bot.log").read_text(errors="replace").splitlines()
                if " ERROR " in line or "Traceback" in line
            ]
            options.bot_errors.extend(errors[:20])
            options.bot_error_count += len(errors)


def started(telegram: FakeTelegram, options: argparse.Namespace) -> bool:
    if options.backend == "sqlite":
        return bool(telegram.calls_to("getUpdates"))
    return len(telegram.calls_to("setWebhook")) >= options.workers


def new_people(bot: RunningBot, count: int) -> list[Person]:
    first, bot.people = bot.people, bot.people + count
    return [
        Person(bot.telegram.add_user(f"Гражданин {number}", user_id=800_000_000 + number), number)
        for number in range(first, first + count)
    ]


# --- the measured phases ------------------------------------------------------------------------


async def open_loop(
    bot: RunningBot, driver: Driver, people: list[Person], rate: float, duration: float
) -> dict[str, Any]:
    tally = Tally()
    ready = list(people)
    random.Random(7).shuffle(ready)
    waiting: list[Person] = []
    running: set[asyncio.Task[None]] = set()

    async def deliver(person: Person) -> None:
        await driver.step(person, tally)
        person.ready_at = time.monotonic() + driver.options.think
        waiting.append(person)

    interval = 1.0 / rate
    arrivals = int(duration * rate)
    cpu_before, wall_before = bot.cpu_seconds(), time.monotonic()
    driver_cpu_before = time.process_time()
    started = time.monotonic()
    for index in range(arrivals):
        delay = started + index * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.monotonic()
        still: list[Person] = []
        for person in waiting:
            (ready if person.ready_at <= now else still).append(person)
        waiting[:] = still
        if not ready:
            tally.dropped_arrivals += 1
            continue
        task = asyncio.create_task(deliver(ready.pop(0)))
        running.add(task)
        task.add_done_callback(running.discard)
    arrivals_took = time.monotonic() - started
    if running:
        await asyncio.wait(running)
    cpu = bot.cpu_seconds() - cpu_before
    wall = time.monotonic() - wall_before
    driver_cpu = time.process_time() - driver_cpu_before
    hist = tally.latencies
    return {
        "rate": rate,
        "duration": duration,
        "arrivals_took_s": round(arrivals_took, 2),
        "citizens": len(people),
        "updates_sent": tally.sent,
        "answered": tally.answered,
        "lost": tally.lost,
        "derailed": tally.derailed,
        "dropped_arrivals": tally.dropped_arrivals,
        "appeals_filed": len(tally.filed),
        "p50_ms": _ms(hist.percentile(0.50)),
        "p95_ms": _ms(hist.percentile(0.95)),
        "p99_ms": _ms(hist.percentile(0.99)),
        "max_ms": _ms(hist.maximum if hist.count else math.nan),
        "bot_cpu_percent": round(100 * cpu / wall, 1),
        "bot_cpu_us_per_update": round(1e6 * cpu / tally.sent) if tally.sent else None,
        # The fake Telegram server and the citizens, in this process: if it nears 100 % the
        # driver, not the bot, sets the pace.
        "driver_cpu_percent": round(100 * driver_cpu / wall, 1),
    }


async def burst(
    bot: RunningBot, driver: Driver, people: list[Person], window: float
) -> dict[str, Any]:
    """Walk everyone to the review, then file every appeal within ``window`` seconds."""
    tally = Tally()
    pace = asyncio.Semaphore(driver.options.walk_concurrency)

    async def walk(person: Person) -> bool:
        async with pace:
            while person.position < CONFIRM:
                if await driver.step(person, tally) is None and person.position == 0:
                    return False
                await asyncio.sleep(driver.options.think)
            return True

    walk_started = time.monotonic()
    walked = await asyncio.gather(*(walk(person) for person in people))
    walk_took = time.monotonic() - walk_started
    ready = [person for person, ok in zip(people, walked, strict=True) if ok]
    group_before = len(bot.telegram.bot_messages(bot.operators))
    confirm = Tally()
    started = time.monotonic()
    interval = window / max(len(ready), 1)

    async def file(index: int, person: Person) -> None:
        await asyncio.sleep(index * interval)
        await driver.step(person, confirm)

    await asyncio.gather(*(file(index, person) for index, person in enumerate(ready)))
    filed = set(confirm.filed)
    card_seen: dict[str, float] = {}
    deadline = started + driver.options.burst_timeout
    while len(card_seen) < len(filed) and time.monotonic() < deadline:
        for message in bot.telegram.bot_messages(bot.operators)[group_before:]:
            number = find_appeal_number(message.text or "")
            if number in filed and number not in card_seen:
                card_seen[number] = time.monotonic() - started
        await asyncio.sleep(0.2)
    group_messages = len(bot.telegram.bot_messages(bot.operators)) - group_before
    return {
        "citizens": len(people),
        "walked_to_review": len(ready),
        "walk_took_s": round(walk_took, 1),
        "window_s": window,
        "confirm_p50_ms": _ms(confirm.latencies.percentile(0.5)),
        "confirm_p99_ms": _ms(confirm.latencies.percentile(0.99)),
        "confirmations_lost": confirm.lost + confirm.derailed,
        "appeals_filed": len(filed),
        "cards_in_operators_chat": len(card_seen),
        "operators_chat_messages": group_messages,
        "last_card_after_s": round(max(card_seen.values()), 1) if card_seen else None,
        "half_the_cards_after_s": (
            round(sorted(card_seen.values())[len(card_seen) // 2], 1) if card_seen else None
        ),
    }


def _ms(seconds: float) -> float | None:
    return None if math.isnan(seconds) else round(seconds * 1000, 1)


# --- the command --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.e2e",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds (0.04)")
    parser.add_argument(
        "--no-limits", dest="limits", action="store_false", help="no 429s: the bot's own ceiling"
    )
    parser.add_argument(
        "--rates",
        type=float,
        nargs="*",
        default=[10, 20, 30, 45, 60, 100, 300],
        help="open loop: updates a second, one run each (default 10 20 30 45 60 100 300)",
    )
    parser.add_argument("--duration", type=float, default=20.0, help="open loop: seconds a rate")
    parser.add_argument("--think", type=float, default=1.5, help="a citizen's pause after a reply")
    parser.add_argument("--reply-timeout", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=200, help="appeals filed in the burst")
    parser.add_argument(
        "--burst-window", type=float, default=60.0, help="seconds they are filed in"
    )
    parser.add_argument("--burst-timeout", type=float, default=1800.0)
    parser.add_argument(
        "--walk-concurrency",
        type=int,
        default=20,
        help="burst: citizens walking to the review at once (below the bot's 30/s)",
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "cluster"),
        default="sqlite",
        help="sqlite: one process, long polling (default); cluster: PostgreSQL + Redis, webhook",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="cluster: bot processes on one webhook port"
    )
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it works")
    options = parser.parse_args(argv)
    if options.smoke:
        options.rates, options.duration, options.think = [5.0], 2.0, 1.0
        options.burst, options.burst_window, options.burst_timeout = 2, 1.0, 60.0
    options.bot_errors, options.bot_error_count = [], 0
    options.argv = list(sys.argv[1:] if argv is None else argv)
    return options


async def rates_phase(
    bot: RunningBot, options: argparse.Namespace, results: dict[str, Any]
) -> None:
    watch = ReplyWatch(bot.telegram)
    watch.start()
    driver = Driver(bot.telegram, watch, options)
    for rate in options.rates:
        # Enough citizens that one is always free: each is busy a reply plus a pause.
        people = new_people(bot, max(10, math.ceil(rate * (options.think + 1.0) * 1.5)))
        row = await open_loop(bot, driver, people, rate, options.duration)
        row["load_average"] = os.getloadavg()[0]
        print(json.dumps(row, ensure_ascii=False), flush=True)
        results["rates"].append(row)
        await asyncio.sleep(2)
    results["rates_refused_429"] = dict(watch.refused)
    results["rates_failed_calls"] = dict(watch.failed)
    await watch.stop()


async def burst_phase(
    bot: RunningBot, options: argparse.Namespace, results: dict[str, Any]
) -> None:
    watch = ReplyWatch(bot.telegram)
    watch.start()
    driver = Driver(bot.telegram, watch, options)
    row = await burst(bot, driver, new_people(bot, options.burst), options.burst_window)
    row["refused_429"] = dict(watch.refused)
    row["load_average"] = os.getloadavg()[0]
    print(json.dumps(row, ensure_ascii=False), flush=True)
    results["burst"] = row
    await watch.stop()


async def run(options: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "command": "python -m benchmarks.e2e " + " ".join(options.argv),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": options.backend,
        "workers": options.workers if options.backend == "cluster" else 1,
        "latency_s": options.latency,
        "telegram_limits": options.limits,
        "think_s": options.think,
        "load_average_before": os.getloadavg(),
        "cpus": os.cpu_count(),
        "rates": [],
    }
    if options.smoke:  # one bot for both phases: the start-up is most of a smoke run
        async with running_bot(options) as bot:
            await rates_phase(bot, options, results)
            await burst_phase(bot, options, results)
    else:
        # The burst gets a bot of its own: the cards of the open loops' appeals would be
        # queued before its own in the operators' chat.
        if options.rates:
            async with running_bot(options) as bot:
                await rates_phase(bot, options, results)
        if options.burst:
            async with running_bot(options) as bot:
                await burst_phase(bot, options, results)
    sustained = [
        row["rate"]
        for row in results["rates"]
        if row["p99_ms"] is not None
        and row["p99_ms"] < 1000
        and row["lost"] == 0
        and row["derailed"] == 0
        and row["dropped_arrivals"] == 0
    ]
    results["highest_rate_with_p99_under_1s"] = max(sustained, default=None)
    results["bot_error_lines"] = options.bot_error_count
    results["bot_errors_first"] = options.bot_errors
    return results


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    results = asyncio.run(run(options))
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(
        json.dumps(
            {k: v for k, v in results.items() if k not in ("rates", "burst")}, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
