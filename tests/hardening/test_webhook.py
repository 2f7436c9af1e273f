"""The real bot process taking its updates by webhook from the fake Telegram server."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from fake_telegram import DeliveryAttempt, FakeTelegram
from tests.hardening.bot_process import start_webhook_bot

TOKEN = "7100000003:WEBHOOK-test"
SECRET = "webhook_secret-for-tests"
HANDLER_DELAY = 10.0  # seconds an answer hangs: the process is killed well before
GREETING = "Здравствуйте, Анна!"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(
        TOKEN, webhook_retry_delay=0.2, webhook_max_retry_delay=1.0, webhook_timeout=20.0
    ) as telegram:
        yield telegram


async def stop(process: asyncio.subprocess.Process) -> bytes:
    """SIGTERM a bot still running; its log."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 20)
    assert process.stderr is not None
    return await process.stderr.read()


def finished_attempts(telegram: FakeTelegram) -> list[DeliveryAttempt]:
    return [attempt for attempt in telegram.webhook_attempts if attempt.finished_at is not None]


def inbox_rows(database: Path) -> list[tuple[int, str, str | None]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT update_id, status, payload FROM processed_updates ORDER BY update_id"
        ).fetchall()


async def test_a_dialogue_works_end_to_end_by_webhook(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    port = free_port()
    async with fake_telegram() as telegram:
        anna = telegram.add_user("Анна")
        process = await start_webhook_bot(telegram, database, tmp_path, port, SECRET)
        try:
            settings = telegram.webhook_settings
            assert settings is not None
            assert settings.url == f"http://127.0.0.1:{port}/telegram/webhook"
            assert settings.secret_token == SECRET
            assert settings.allowed_updates is not None and "message" in settings.allowed_updates

            await telegram.send_command(anna, "start")
            [menu] = await telegram.wait_for_bot_messages(anna, timeout=10)
            assert menu.text is not None and menu.text.startswith(GREETING)
            await telegram.press_button(anna, menu, "🧾 Что подготовить")
            [checklist] = await telegram.wait_for_bot_messages(anna, timeout=10)
            assert checklist.text is not None and "СНИЛС" in checklist.text
            # Telegram sending an update again: taken (200), not handled twice.
            await telegram.redeliver_update(telegram.update_history[0]["update_id"])
            await telegram.wait_until_quiet(quiet_period=0.3, timeout=10)
        finally:
            log = await stop(process)
        assert process.returncode == 0, log.decode()
        assert len(telegram.bot_messages(anna)) == 2
        attempts = telegram.webhook_attempts
        assert len(attempts) == 3 and all(attempt.status == 200 for attempt in attempts)
        assert b"it was already taken" in log
        assert telegram.callback_answers  # the button press was answered
        assert telegram.webhook_url  # stopping one process does not remove the webhook
    assert [row[1:] for row in inbox_rows(database)] == [("done", None), ("done", None)]


@pytest.mark.errors_expected
async def test_a_wrong_secret_is_refused_and_counted_as_a_failed_delivery(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.sqlite3"
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with fake_telegram() as telegram:
        anna = telegram.add_user("Анна")
        process = await start_webhook_bot(telegram, database, tmp_path, port, SECRET)
        bot = telegram.create_bot()
        try:
            await bot.set_webhook(url, secret_token="not_the_bots_secret")
            await telegram.send_command(anna, "start")
            await telegram.wait_until(lambda: len(finished_attempts(telegram)) >= 2, timeout=10)
            assert {attempt.status for attempt in finished_attempts(telegram)} == {401}
            info = await bot.get_webhook_info()
            assert info.pending_update_count == 1
            assert info.last_error_message == "Wrong response from the webhook: 401 Unauthorized"
            assert telegram.bot_messages(anna) == []

            # A forged update without the header is refused the same way, and not stored.
            forged = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": anna.id, "type": "private"},
                    "from": {"id": anna.id, "is_bot": False, "first_name": "Анна"},
                    "text": "/start",
                },
            }
            async with aiohttp.ClientSession() as http, http.post(url, json=forged) as response:
                assert response.status == 401

            # Telegram told the right secret again: the update kept pending arrives, once.
            await bot.set_webhook(url, secret_token=SECRET)
            [reply] = await telegram.wait_for_bot_messages(anna, timeout=10)
            await telegram.wait_until_quiet(quiet_period=0.3, timeout=10)
        finally:
            await bot.session.close()
            log = await stop(process)
        assert process.returncode == 0, log.decode()
        assert reply.text is not None and reply.text.startswith(GREETING)
        assert len(telegram.bot_messages(anna)) == 1
        assert telegram.webhook_attempts[-1].status == 200
    assert [row[0] for row in inbox_rows(database)] == [telegram.update_history[0]["update_id"]]


async def test_killed_while_handling_an_update_it_answers_once_after_the_restart(
    tmp_path: Path,
) -> None:
    """Telegram got 200 (the update was in the inbox); the restart's replay handles it."""
    database = tmp_path / "bot.sqlite3"
    port = free_port()
    async with fake_telegram() as telegram:
        anna = telegram.add_user("Анна")
        process = await start_webhook_bot(telegram, database, tmp_path, port, SECRET)
        try:
            telegram.delay_next("sendMessage", HANDLER_DELAY)  # the handler hangs mid-update
            await telegram.send_command(anna, "start")
            await telegram.wait_until(
                lambda: bool(telegram.calls_to("sendMessage")),
                timeout=10,
                description="the handler sends its answer",
            )
            [attempt] = telegram.webhook_attempts
            assert attempt.status == 200  # answered before the handling finished
            assert telegram.updates.unconfirmed_count == 0
            process.send_signal(signal.SIGKILL)
            await process.wait()
            assert telegram.bot_messages(anna) == []

            process = await start_webhook_bot(telegram, database, tmp_path, port, SECRET)
            [reply] = await telegram.wait_for_bot_messages(anna, timeout=20)
            await telegram.wait_until_quiet(quiet_period=0.5, timeout=HANDLER_DELAY + 10)
        finally:
            log = await stop(process)
        assert process.returncode == 0, log.decode()
        assert b"left unfinished by the previous run" in log
        assert reply.text is not None and reply.text.startswith(GREETING)
        assert len(telegram.bot_messages(anna)) == 1
        assert [call.status for call in telegram.calls_to("sendMessage")] == [499, 200]
        assert len(telegram.webhook_attempts) == 1  # nothing was sent twice by Telegram
    assert [row[1:] for row in inbox_rows(database)] == [("done", None)]


async def test_killed_before_the_update_is_stored_telegram_sends_it_again(
    tmp_path: Path,
) -> None:
    """No 200 before the claim is committed: the fake retries, the new process answers once."""
    database = tmp_path / "bot.sqlite3"
    port = free_port()
    async with fake_telegram() as telegram:
        anna = telegram.add_user("Анна")
        process = await start_webhook_bot(telegram, database, tmp_path, port, SECRET)
        try:
            # Another process holds the write lock: the bot's claim waits for it.
            blocker = sqlite3.connect(database, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")
            try:
                await telegram.send_command(anna, "start")
                await telegram.wait_until(lambda: bool(telegram.webhook_attempts), timeout=10)
                await asyncio.sleep(0.5)
                attempts = telegram.webhook_attempts
                assert len(attempts) == 1, [(a.status, a.error, a.started_at) for a in attempts]
                attempt = attempts[0]
                assert attempt.finished_at is None  # no answer while the update is not stored
                process.send_signal(signal.SIGKILL)
                await process.wait()
                await telegram.wait_until(lambda: attempt.finished_at is not None, timeout=10)
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            assert attempt.status is None and telegram.updates.unconfirmed_count == 1
            assert telegram.webhook_info()["last_error_message"] == "Connection reset by peer"

            process = await start_webhook_bot(telegram, database, tmp_path, port, SECRET)
            [reply] = await telegram.wait_for_bot_messages(anna, timeout=20)
            await telegram.wait_until_quiet(quiet_period=0.5, timeout=10)
        finally:
            log = await stop(process)
        assert process.returncode == 0, log.decode()
        assert reply.text is not None and reply.text.startswith(GREETING)
        assert len(telegram.bot_messages(anna)) == 1
        assert telegram.webhook_attempts[-1].status == 200
    assert [row[1:] for row in inbox_rows(database)] == [("done", None)]


async def test_healthz_says_200_and_503_once_the_database_is_gone(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    port = free_port()
    health = f"http://127.0.0.1:{port}/healthz"
    async with fake_telegram() as telegram:
        process = await start_webhook_bot(telegram, database, tmp_path, port, SECRET)
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(health) as response:
                    assert response.status == 200
                    assert await response.json() == {"status": "ok", "checks": {"database": "ok"}}
                database.unlink()
                async with http.get(health) as response:
                    assert response.status == 503
                    body = json.loads(await response.text())
            assert body["checks"]["database"] == "failed: StorageFault"
            # The database is gone for good: the bot stops as it does when polling.
            await asyncio.wait_for(process.wait(), 20)
        finally:
            log = await stop(process)
        assert process.returncode == 3, log.decode()
        assert "удалён или подменён" in log.decode()
