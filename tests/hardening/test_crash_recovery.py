"""The real bot process killed with SIGKILL: what it had taken from Telegram is not lost."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.domain.clock import ManualClock
from bot.factory import create_dispatcher
from bot.settings import Settings
from bot.storage.sqlite.database import Database
from fake_telegram import FakeTelegram
from tests.conftest import TEST_TOKEN
from tests.hardening.bot_process import start_bot
from tests.polling import polling

TOKEN = "7100000002:CRASH-test"
HANDLER_DELAY = 10.0  # seconds an answer hangs: the process is killed well before


@asynccontextmanager
async def polled(
    telegram: FakeTelegram, settings: Settings, database: Database, clock: ManualClock
) -> AsyncIterator[None]:
    """The bot of ``settings`` polling ``telegram`` in this process for the block."""
    bot = telegram.create_bot()
    try:
        async with polling(telegram, create_dispatcher(settings, database, clock=clock), bot):
            yield
    finally:
        await bot.session.close()


async def test_updates_in_flight_at_a_kill_are_answered_once_after_the_restart(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram(TOKEN) as telegram:
        citizens = [telegram.add_user(name) for name in ("Анна", "Борис", "Вера")]
        process = await start_bot(telegram, database, tmp_path)
        try:
            # Every answer hangs on its way to Telegram: the handlers are in flight.
            telegram.delay_next("sendMessage", HANDLER_DELAY, times=len(citizens))
            for citizen in citizens:
                await telegram.send_command(citizen, "start")
            await telegram.wait_until(
                lambda: len(telegram.calls_to("sendMessage")) == len(citizens),
                timeout=20,
                description="every handler is sending its answer",
            )
            # Polling went on meanwhile: Telegram counts these updates as delivered.
            await telegram.wait_until(
                lambda: telegram.updates.unconfirmed_count == 0,
                timeout=10,
                description="the updates are confirmed",
            )
            process.send_signal(signal.SIGKILL)
            await process.wait()
            assert all(telegram.bot_messages(citizen) == [] for citizen in citizens)

            process = await start_bot(telegram, database, tmp_path)
            for citizen in citizens:
                await telegram.wait_for_bot_messages(citizen, timeout=20)
            # The dead process's answers never reached Telegram (499), and nothing else came.
            await telegram.wait_until_quiet(quiet_period=0.5, timeout=HANDLER_DELAY + 20)
            statuses = [call.status for call in telegram.calls_to("sendMessage")]
            assert statuses == [499] * len(citizens) + [200] * len(citizens)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 20)

        for citizen in citizens:
            texts = [message.text or "" for message in telegram.bot_messages(citizen)]
            assert len(texts) == 1, texts
            assert texts[0].startswith(f"Здравствуйте, {citizen.first_name}!")
    # The updates were kept only until they were handled.
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT status, payload FROM processed_updates").fetchall()
    assert rows and all(row == ("done", None) for row in rows), rows


@pytest.mark.sqlite_only(
    reason="holds SQLite's one connection so that no claim can be written; a pool has no such lock"
)
async def test_telegram_learns_an_update_was_taken_only_once_it_is_in_the_inbox(
    settings: Settings,
    database: Database,
    clock: ManualClock,
) -> None:
    async with FakeTelegram(TEST_TOKEN) as telegram:
        anna = telegram.add_user("Анна")
        async with polled(telegram, settings, database, clock):
            async with database.reading():  # the database is busy: no claim can be written
                await telegram.send_command(anna, "start")
                await telegram.wait_until(
                    lambda: any(call.result for call in telegram.calls_to("getUpdates"))
                )
                await asyncio.sleep(0.5)  # time enough to poll again, were it allowed
                assert telegram.updates.unconfirmed_count == 1
            await telegram.wait_for_bot_messages(anna)
            await telegram.wait_until(lambda: telegram.updates.unconfirmed_count == 0)


async def test_a_chat_waiting_for_its_own_reply_does_not_hold_back_other_chats(
    settings: Settings,
    database: Database,
    clock: ManualClock,
) -> None:
    """Two messages of one chat in one ``getUpdates``: the second waits for its chat's lock
    while the first's reply is slow. It is claimed already (on fetch), so polling goes on
    and another citizen is answered meanwhile, not after the slow reply."""
    async with FakeTelegram(TEST_TOKEN) as telegram:
        anna = telegram.add_user("Анна")
        boris = telegram.add_user("Борис")
        telegram.delay_next("sendMessage", 5.0, chat_id=anna.id)
        await telegram.send_command(anna, "start")
        await telegram.send_command(anna, "help")
        async with polled(telegram, settings, database, clock):
            await telegram.wait_until(
                lambda: any(call.status is None for call in telegram.calls_to("sendMessage")),
                description="Анна's first reply is on its slow way",
            )
            await telegram.send_command(boris, "start")
            await telegram.wait_for_bot_messages(boris, timeout=3)
            assert telegram.bot_messages(anna) == []  # her first reply is still held
            await telegram.wait_for_bot_messages(anna, count=2, timeout=15)


async def test_a_duplicate_polled_again_is_skipped_on_its_claim_at_fetch(
    settings: Settings,
    database: Database,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An update Telegram sends again after it was handled: refused when it is claimed at
    fetch, skipped by the dispatcher, not answered twice."""
    async with FakeTelegram(TEST_TOKEN) as telegram:
        anna = telegram.add_user("Анна")
        async with polled(telegram, settings, database, clock):
            await telegram.send_command(anna, "start")
            await telegram.wait_for_bot_messages(anna)
            answered = len(telegram.bot_messages(anna))
            caplog.set_level(logging.INFO, logger="bot.middlewares.deduplication")
            [update] = telegram.updates.history
            await telegram.redeliver_update(update["update_id"])
            await telegram.wait_until(
                lambda: "Skipped update" in caplog.text, description="the duplicate skipped"
            )
            assert len(telegram.bot_messages(anna)) == answered
