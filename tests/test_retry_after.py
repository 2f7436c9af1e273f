"""A reply Telegram refuses with 429 while an update is handled is sent again after
``retry_after``; beyond TELEGRAM_RETRY_AFTER_MAX_SECONDS it goes to the error handler.
The outbox is not held up: it handles 429 itself (tests/test_outbox.py)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiogram.exceptions import TelegramRetryAfter

from bot.factory import create_bot
from bot.middlewares.retry_after import _handling_update
from bot.settings import Settings
from fake_telegram import DirectSession
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import TEST_TOKEN


def replace_settings(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)


async def test_a_refused_reply_is_sent_again_after_retry_after(
    harness: BotHarness, consented: Person, caplog: pytest.LogCaptureFixture
) -> None:
    harness.telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1
    )
    with caplog.at_level(logging.WARNING, logger="bot.middlewares.retry_after"):
        replies = await harness.send(consented, "/checklist")

    assert [reply.text for reply in replies] == [harness.last(consented).text]
    assert "СНИЛС" in replies[0].text
    assert [record.getMessage() for record in caplog.records] == [
        "SendMessage refused with 429: sending again in 1 s"
    ]


@pytest.mark.errors_expected
async def test_a_wait_longer_than_allowed_goes_to_the_error_handler(
    harness: BotHarness, consented: Person, caplog: pytest.LogCaptureFixture
) -> None:
    # 60 s is more than TELEGRAM_RETRY_AFTER_MAX_SECONDS (20): not waited, as before.
    harness.telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 60", retry_after=60
    )
    with caplog.at_level(logging.ERROR):
        await harness.send(consented, "/checklist")

    assert any(
        isinstance(record.exc_info[1], TelegramRetryAfter)
        for record in caplog.records
        if record.exc_info
    )


async def test_calls_outside_an_update_are_not_retried(
    harness: BotHarness, citizen: Person
) -> None:
    harness.telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1
    )
    with pytest.raises(TelegramRetryAfter):
        await harness.bot.send_message(citizen.id, "проверка")


@pytest.mark.sqlite_only(reason="no database: the pacing of one bot's replies")
async def test_replies_keep_to_the_messages_per_second(settings: Settings) -> None:
    """A burst of replies beyond TELEGRAM_MESSAGES_PER_SECOND waits for its turn."""
    telegram = fake_telegram(TEST_TOKEN)
    paced = replace_settings(settings, telegram_messages_per_second=5)
    bot = create_bot(paced, session=DirectSession(telegram))
    people = [telegram.add_user(f"Гражданин {index}") for index in range(10)]
    token = _handling_update.set(True)  # as while an update is handled
    try:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(person.id, "Ответ") for person in people))
        took = time.monotonic() - started
    finally:
        _handling_update.reset(token)
        await bot.session.close()
    # Five at once, the other five spread over the next second.
    assert 0.8 < took < 3
    assert len(telegram.calls_to("sendMessage")) == 10
