"""The bot as a cluster: real processes on PostgreSQL and Redis behind the fake's webhook.

``python -m bot --workers 2`` forks two processes on one webhook port; the fake Telegram
server delivers updates by webhook as Telegram does. Citizens file appeals through both
processes; one process is SIGKILLed while it handles an update, and the other one takes
the update over once its lease runs out and finishes the dialogue. A process killed after
it filed an appeal, before it said the number, leaves the press to the other one, which
files nothing new and says the number of the appeal filed.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.settings import Settings
from fake_telegram import FakeTelegram
from fake_telegram.server import StoredMessage
from tests.conftest import cluster_settings
from tests.hardening.bot_process import ROOT
from tests.hardening.test_webhook import SECRET, free_port

TOKEN = "7100000017:CLUSTER-test"
LEASE_SECONDS = 3
GREETING = "Здравствуйте"
NUMBER = re.compile(r"Номер: (\d{4}-\d{6})")


@asynccontextmanager
async def cluster(
    tmp_path: Path,
    telegram: FakeTelegram,
    configured: Settings,
    workers: int = 2,
    environment: Mapping[str, str] | None = None,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot --workers N`` on PostgreSQL + Redis, once it has set its webhook."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=telegram.token,
        BOT_API_BASE_URL=telegram.base_url,
        DATABASE_URL=configured.database_url or "",
        DATABASE_POOL_SIZE="4",
        REDIS_URL=configured.redis_url or "",
        REDIS_PREFIX=configured.redis_prefix,
        INBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        THROTTLE_MESSAGES="0",
        LOG_LEVEL="INFO",
        SMS_OUTBOX_PATH=str(tmp_path / "sms.jsonl"),
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/webhook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    env.update(environment or {})
    registrations = len(telegram.calls_to("setWebhook"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--workers",
        str(workers),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    log = bytearray()

    async def collect() -> None:
        assert process.stderr is not None
        while chunk := await process.stderr.read(65536):
            log.extend(chunk)

    collecting = asyncio.create_task(collect())
    try:
        # Each worker sets the webhook once it has started.
        await telegram.wait_until(
            lambda: (
                len(telegram.calls_to("setWebhook")) >= registrations + workers
                or process.returncode is not None
            ),
            timeout=90,
            description="the workers start",
        )
        assert process.returncode is None, log.decode()
        yield process
    except BaseException:
        print(log.decode(errors="replace")[-8000:])  # the workers' log, shown by pytest
        raise
    finally:
        try:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 30)
            await collecting
        finally:
            process.log = bytes(log)  # type: ignore[attr-defined]
            (tmp_path / "cluster.log").write_bytes(log)  # kept by pytest, for a failure


def worker_pids(parent: int) -> list[int]:
    with open(f"/proc/{parent}/task/{parent}/children", encoding="ascii") as children:
        return [int(pid) for pid in children.read().split()]


def last_text(telegram: FakeTelegram, user: object) -> str:
    messages = telegram.bot_messages(user)  # type: ignore[arg-type]
    return (messages[-1].text or "") if messages else ""


async def wait_for_text(
    telegram: FakeTelegram, user: object, needle: str, timeout: float = 30
) -> StoredMessage:
    await telegram.wait_until(
        lambda: needle in last_text(telegram, user),
        timeout=timeout,
        description=f"the bot says {needle!r}",
    )
    return telegram.bot_messages(user)[-1]  # type: ignore[arg-type]


async def file_consultation(telegram: FakeTelegram, user: object, topic: str) -> str:
    summary = await consultation_summary(telegram, user, topic)
    await telegram.press_button(user, summary, "✅ Отправить")  # type: ignore[arg-type]
    done = await wait_for_text(telegram, user, "Номер:")
    match = NUMBER.search(done.text or "")
    assert match, done.text
    return match.group(1)


async def consultation_summary(telegram: FakeTelegram, user: object, topic: str) -> StoredMessage:
    """A consultation from /start to its summary, whose «Отправить» files it."""
    await telegram.send_command(user, "start")  # type: ignore[arg-type]
    menu = await wait_for_text(telegram, user, GREETING)
    await telegram.press_button(user, menu, "✉️ Новое обращение")  # type: ignore[arg-type]
    types = await wait_for_text(telegram, user, "Выберите тип обращения")
    await telegram.press_button(user, types, "💬 Консультация")  # type: ignore[arg-type]
    consent = await wait_for_text(telegram, user, "Согласие на обработку")
    await telegram.press_button(user, consent, "✅ Согласен")  # type: ignore[arg-type]
    await wait_for_text(telegram, user, "Шаг 1 из 2")
    await telegram.send_text(user, topic)  # type: ignore[arg-type]
    await wait_for_text(telegram, user, "Шаг 2 из 2")
    await telegram.send_text(user, "Какие документы нужны?")  # type: ignore[arg-type]
    await telegram.wait_until(
        lambda: "✅ Отправить" in telegram.bot_messages(user)[-1].button_labels(),  # type: ignore[arg-type]
        timeout=30,
        description="the summary with its «Отправить»",
    )
    return telegram.bot_messages(user)[-1]  # type: ignore[arg-type]


async def rows(configured: Settings, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(configured.database_url)
    try:
        return await connection.fetch(sql)
    finally:
        await connection.close()


@pytest.fixture
async def configured(
    settings: Settings, cluster_services: tuple[str, str]
) -> AsyncIterator[Settings]:
    async with cluster_settings(settings, cluster_services) as value:
        yield value


async def test_two_processes_share_the_work_and_survive_one_killed_mid_update(
    tmp_path: Path,
    configured: Settings,
) -> None:
    async with FakeTelegram(
        TOKEN, webhook_retry_delay=0.2, webhook_max_retry_delay=1.0, webhook_timeout=30.0
    ) as telegram:
        citizens = [telegram.add_user(f"Гражданин{index}") for index in range(6)]
        async with cluster(tmp_path, telegram, configured) as parent:
            assert len(worker_pids(parent.pid)) == 2
            numbers = await asyncio.gather(
                *(
                    file_consultation(telegram, citizen, f"Тема {index}")
                    for index, citizen in enumerate(citizens)
                )
            )
            takers = {
                row["run_id"].split(":")[1]
                for row in await rows(configured, "SELECT run_id FROM processed_updates")
            }

            # A citizen's update hangs in the worker that took it; that worker is killed.
            anna = telegram.add_user("Анна")
            telegram.delay_next("sendMessage", 60.0, chat_id=anna.id)
            await telegram.send_command(anna, "start")
            await telegram.wait_until(
                lambda: any(
                    str(call.params.get("chat_id")) == str(anna.id)
                    for call in telegram.calls_to("sendMessage")
                ),
                timeout=30,
                description="a worker handles Анна's /start",
            )
            [in_flight] = await rows(
                configured, "SELECT run_id FROM processed_updates WHERE status = 'started'"
            )
            victim = int(in_flight["run_id"].split(":")[1])
            assert victim in worker_pids(parent.pid)
            os.kill(victim, signal.SIGKILL)

            # Another process takes the update over once its lease runs out, and answers;
            # the dialogue goes on to an appeal.
            menu = await wait_for_text(telegram, anna, GREETING, timeout=LEASE_SECONDS + 30)
            await telegram.press_button(anna, menu, "🧾 Что подготовить")
            await wait_for_text(telegram, anna, "СНИЛС")
            numbers.append(await file_consultation(telegram, anna, "После сбоя"))
            # The last update is marked done just after its answer went out.
            for _ in range(100):
                inbox = await rows(configured, "SELECT run_id, status FROM processed_updates")
                if {row["status"] for row in inbox} == {"done"}:
                    break
                await asyncio.sleep(0.1)
        log = parent.log.decode()  # type: ignore[attr-defined]

    assert parent.returncode == 0, log
    assert f"Worker 0 (pid {victim})" in log or f"Worker 1 (pid {victim})" in log
    assert "Traceback" not in log, log
    # Both processes took updates; every appeal number is unique and stored once.
    assert len(takers) == 2, takers
    assert len(set(numbers)) == len(numbers) == 7
    stored = await rows(configured, "SELECT number FROM appeals ORDER BY number")
    assert sorted(numbers) == [row["number"] for row in stored]
    # Every update finished; Анна's greeting was answered once it was taken over.
    assert {row["status"] for row in inbox} == {"done"}
    assert (
        sum(
            1
            for message in telegram.bot_messages(anna)
            if (message.text or "").startswith(GREETING)
        )
        >= 1
    )


async def test_a_press_whose_worker_died_after_the_filing_is_told_the_number_by_the_other(
    tmp_path: Path,
    configured: Settings,
) -> None:
    async with FakeTelegram(
        TOKEN, webhook_retry_delay=0.2, webhook_max_retry_delay=1.0, webhook_timeout=30.0
    ) as telegram:
        boris = telegram.add_user("Борис")
        async with cluster(tmp_path, telegram, configured) as parent:
            summary = await consultation_summary(telegram, boris, "Перед сбоем")

            def sends_to_boris() -> int:
                return sum(
                    1
                    for call in telegram.calls_to("sendMessage")
                    if str(call.params.get("chat_id")) == str(boris.id)
                )

            # The number hangs on its way to Telegram; the worker that filed it is killed.
            sent_before = sends_to_boris()
            telegram.delay_next("sendMessage", 60.0, chat_id=boris.id)
            await telegram.press_button(boris, summary, "✅ Отправить")
            await telegram.wait_until(
                lambda: sends_to_boris() > sent_before,
                timeout=30,
                description="a worker sends Борис the number",
            )
            [in_flight] = await rows(
                configured, "SELECT run_id FROM processed_updates WHERE status = 'started'"
            )
            victim = int(in_flight["run_id"].split(":")[1])
            filed = await rows(configured, "SELECT number FROM appeals")
            assert len(filed) == 1  # committed before the number was sent
            os.kill(victim, signal.SIGKILL)

            # The other process takes the press over once the lease runs out.
            done = await wait_for_text(telegram, boris, "Номер:", timeout=LEASE_SECONDS + 30)
            for _ in range(100):
                inbox = await rows(configured, "SELECT status FROM processed_updates")
                if {row["status"] for row in inbox} == {"done"}:
                    break
                await asyncio.sleep(0.1)
            stored = await rows(configured, "SELECT number FROM appeals")
        log = parent.log.decode()  # type: ignore[attr-defined]

    assert parent.returncode == 0, log
    assert "Traceback" not in log, log
    # One appeal, and the number Борис was told is its number, told once.
    assert [row["number"] for row in stored] == [row["number"] for row in filed]
    assert f"Номер: {filed[0]['number']}" in (done.text or "")
    told = [m for m in telegram.bot_messages(boris) if "Номер:" in (m.text or "")]
    assert len(told) == 1
    assert {row["status"] for row in inbox} == {"done"}
