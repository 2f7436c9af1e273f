from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from aiogram.types import Message, Update

from bot.domain.clock import ManualClock
from bot.factory import create_bot, create_dispatcher
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.settings import Settings
from fake_telegram import DirectSession
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import TEST_TOKEN, BotDatabase, SmsOutbox, StartDispatcher, bot_database


async def test_thirty_messages_in_a_second_get_one_warning_and_others_are_served(
    settings: Settings,
    database: BotDatabase,
    clock: ManualClock,
    citizen: Person,
    other_citizen: Person,
    start_dispatcher: StartDispatcher,
) -> None:
    throttled = settings.model_copy(update={"throttle_messages": 5, "throttle_window_seconds": 60})
    telegram = fake_telegram(TEST_TOKEN)
    harness = BotHarness(
        await start_dispatcher(throttled, database, clock, telegram),
        create_bot(throttled, session=DirectSession(telegram)),
        telegram,
    )
    for _ in range(30):
        await harness.send(citizen, "/help")
    texts = [message.text for message in harness.messages_in(citizen.id)]
    assert len(texts) == 6
    assert texts[-1] == "Слишком часто. Пожалуйста, подождите несколько секунд и повторите."
    assert texts.count(texts[-1]) == 1
    assert len(await harness.send(other_citizen, "/help")) == 1


async def test_the_window_reopens_after_it_passes() -> None:
    now = [0.0]
    middleware = ThrottlingMiddleware(limit=2, window=10, monotonic=lambda: now[0])
    served: list[int] = []

    class FakeMessage(Message):
        async def answer(self, text: str, **kwargs) -> None:  # type: ignore[override]
            served.append(-1)

    message = FakeMessage.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "А"},
            "text": "x",
        }
    )

    async def handler(event, data) -> None:
        served.append(1)

    for _ in range(4):
        await middleware(handler, message, {})
    assert served == [1, 1, -1]
    now[0] = 10.5
    await middleware(handler, message, {})
    assert served == [1, 1, -1, 1]


async def test_a_redelivered_update_is_not_handled_twice(
    harness: BotHarness, citizen: Person, database: BotDatabase, sms: SmsOutbox
) -> None:
    await harness.consent(citizen)
    await harness.send(citizen, "/phone")
    payload = {
        "message": {
            "message_id": 900,
            "date": 0,
            "chat": {"id": citizen.id, "type": "private"},
            "from": harness.user(citizen).to_api(),
            "text": "+79123456789",
        }
    }
    first = await harness.feed(payload, update_id=777)
    again = await harness.feed(payload, update_id=777)
    assert len(first) == 2 and again == []
    assert len(sms.messages()) == 1


async def test_an_update_interrupted_by_a_crash_is_handled_by_the_next_run(
    settings: Settings, clock: ManualClock, citizen: Person, tmp_path: Path
) -> None:
    database = bot_database(settings)
    await database.connect()
    # A previous run took update 42 and died before finishing it.
    await database.execute(
        "INSERT INTO processed_updates (bot_id, update_id, run_id, status, received_at)"
        " VALUES (123456789, 42, 'dead-run', 'started', '2026-11-23T09:00:00.000000Z')"
    )
    await database.execute(
        "INSERT INTO processed_updates (bot_id, update_id, run_id, status, received_at)"
        " VALUES (123456789, 43, 'dead-run', 'done', '2026-11-23T09:00:00.000000Z')"
    )
    telegram = fake_telegram(TEST_TOKEN)
    harness = BotHarness(
        create_dispatcher(settings, database, clock=clock),
        create_bot(settings, session=DirectSession(telegram)),
        telegram,
    )
    message = {
        "message": {
            "message_id": 1,
            "date": 0,
            "from": harness.user(citizen).to_api(),
            "chat": {"id": citizen.id, "type": "private"},
            "text": "/help",
        }
    }
    try:
        assert len(await harness.feed(message, update_id=42)) == 1
        assert await harness.feed(message, update_id=43) == []
    finally:
        await database.close()


@pytest.mark.sqlite_only(
    reason="on PostgreSQL the cut-off update stays leased to its process until the lease runs"
    " out (INBOX_LEASE_SECONDS), then another takes it: tests/hardening/test_cluster.py"
)
async def test_an_update_cut_off_by_a_shutdown_is_left_to_the_next_run(
    harness: BotHarness,
    settings: Settings,
    clock: ManualClock,
    citizen: Person,
    database: BotDatabase,
) -> None:
    """A shutdown that cannot wait for an update cancels it: as after a crash, the update
    stays unfinished (what it had not done yet is done by the next run), never marked done."""
    telegram = harness.telegram
    telegram.delay_next("sendMessage", 3600, chat_id=citizen.id)
    await telegram.send_command(harness.user(citizen), "help")
    [update] = telegram.updates.undelivered()
    telegram.updates.acknowledge(update)
    handling = asyncio.create_task(
        harness.dispatcher.feed_update(
            harness.bot, Update.model_validate(update, context={"bot": harness.bot})
        )
    )
    await telegram.wait_until(lambda: bool(telegram.calls_to("sendMessage")))
    handling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await handling

    row = await database.fetchone(
        "SELECT status, payload IS NOT NULL FROM processed_updates WHERE update_id = ?",
        (update["update_id"],),
    )
    assert tuple(row) == ("started", 1)
    next_run = BotHarness(create_dispatcher(settings, database, clock=clock), harness.bot, telegram)
    [answer] = await next_run.act(telegram.redeliver_update(update["update_id"]))
    assert answer.chat.id == citizen.id and answer.text
    row = await database.fetchone(
        "SELECT status FROM processed_updates WHERE update_id = ?", (update["update_id"],)
    )
    assert row[0] == "done"
