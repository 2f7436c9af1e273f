"""A restart of the bot in the middle of a dialogue loses nothing."""

from __future__ import annotations

import json

from bot.domain.clock import ManualClock
from bot.settings import Settings
from bot.states.complaint import WrittenComplaint
from testkit.harness import Person, fake_telegram
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, running_bot


async def test_complaint_survives_a_restart(
    settings: Settings, clock: ManualClock, citizen: Person
) -> None:
    # Telegram outlives the bot: buttons and update ids too.
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
    async with running_bot(settings, clock, telegram) as (first, _):
        await first.consent(citizen)
        await first.send(citizen, "/complaint")
        await first.send(citizen, "Не дозвониться")
        await first.send(citizen, "89123456789")
        await first.send(citizen, "вчера 10:00")
        await first.send(citizen, "Занято")
        await first.send(citizen, "Перезвонить")
        await first.send_photo(citizen)

    async with running_bot(settings, clock, telegram) as (second, database):
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
