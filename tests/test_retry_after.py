"""A reply Telegram refuses with 429 while an update is handled is sent again after
``retry_after``; beyond TELEGRAM_RETRY_AFTER_MAX_SECONDS it goes to the error handler.
The outbox is not held up: it handles 429 itself (tests/test_outbox.py)."""

from __future__ import annotations

import logging

import pytest
from aiogram.exceptions import TelegramRetryAfter

from testkit.harness import BotHarness, Person


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
