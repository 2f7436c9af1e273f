"""A restart of the bot in the middle of a dialogue loses nothing."""

from __future__ import annotations

import json

from bot.domain.clock import ManualClock
from bot.factory import create_bot, create_dispatcher
from bot.settings import Settings
from bot.states.complaint import WrittenComplaint
from fake_telegram import DirectSession, FakeTelegram
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, BotDatabase, bot_database


async def start_bot(
    settings: Settings, clock: ManualClock, telegram: FakeTelegram
) -> tuple[BotHarness, BotDatabase]:
    """The bot (re)started against ``telegram``, which outlives it, buttons and update ids too."""
    database = bot_database(settings)
    await database.connect()
    dispatcher = create_dispatcher(settings, database, clock=clock)
    bot = create_bot(settings, session=DirectSession(telegram))
    return BotHarness(dispatcher, bot, telegram), database


async def test_complaint_survives_a_restart(
    settings: Settings, clock: ManualClock, citizen: Person
) -> None:
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
    first, database = await start_bot(settings, clock, telegram)
    await first.consent(citizen)
    await first.send(citizen, "/complaint")
    await first.send(citizen, "Не дозвониться")
    await first.send(citizen, "89123456789")
    await first.send(citizen, "вчера 10:00")
    await first.send(citizen, "Занято")
    await first.send(citizen, "Перезвонить")
    await first.send_photo(citizen)
    await database.close()

    second, database = await start_bot(settings, clock, telegram)
    try:
        assert await second.state(citizen) == WrittenComplaint.waiting_for_attachments.state
        replies = await second.send_photo(citizen)
        assert "Вложение 2 из 10" in replies[0].text
        # The buttons under the message sent before the restart still work.
        old_message = first.messages_in(citizen.id)[-1]
        replies = await second.press(citizen, "Готово", message=old_message)
        assert "Вложения: 2 шт." in replies[0].text
        replies = await second.press(citizen, "Отправить")
        assert "Номер: 2026-000001" in replies[0].text
        row = await database.fetchone("SELECT fields FROM appeals")
        assert json.loads(row["fields"])["topic"] == "Не дозвониться"
        attachments = await database.fetchone("SELECT COUNT(*) FROM appeal_attachments")
        assert attachments[0] == 2
    finally:
        await database.close()
