"""A restart of the bot in the middle of a dialogue loses nothing."""

from __future__ import annotations

import json

from bot.domain.clock import ManualClock
from bot.factory import create_bot, create_dispatcher
from bot.settings import Settings
from bot.states.complaint import WrittenComplaint
from bot.storage.sqlite.database import Database
from testkit.harness import BotHarness, Person
from testkit.session import RecordingSession
from tests.conftest import OPERATORS_CHAT


async def start_bot(
    settings: Settings, clock: ManualClock, first_update_id: int = 1
) -> tuple[BotHarness, Database]:
    database = Database(settings.database_path)
    await database.connect()
    dispatcher = create_dispatcher(settings, database, clock=clock)
    session = RecordingSession()
    session.add_group(OPERATORS_CHAT)
    bot = create_bot(settings, session=session)
    return BotHarness(dispatcher, bot, session, first_update_id), database


async def test_complaint_survives_a_restart(
    settings: Settings, clock: ManualClock, citizen: Person
) -> None:
    first, database = await start_bot(settings, clock)
    await first.consent(citizen)
    await first.send(citizen, "/complaint")
    await first.send(citizen, "Не дозвониться")
    await first.send(citizen, "89123456789")
    await first.send(citizen, "вчера 10:00")
    await first.send(citizen, "Занято")
    await first.send(citizen, "Перезвонить")
    await first.send_photo(citizen)
    await database.close()

    second, database = await start_bot(settings, clock, first_update_id=1000)
    try:
        assert await second.state(citizen) == WrittenComplaint.waiting_for_attachments.state
        replies = await second.send_photo(citizen)
        assert "Вложение 2 из 10" in replies[0].text
        # The buttons under the message sent before the restart still work.
        old_message = first.session.messages_in(citizen.id)[-1]
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
