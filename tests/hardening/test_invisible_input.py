"""Invisible characters: an answer made of them is no answer, and NUL is never stored."""

from __future__ import annotations

import json

from bot.settings import Settings
from bot.states.appeal import NewAppeal
from bot.texts import validation
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase, stored_dialogues
from tests.desk_helpers import follow_up

ZERO_WIDTH = "\u200b\u200c\u2060\ufeff\u200e"


async def open_technical_appeal(harness: BotHarness, citizen: Person) -> None:
    await harness.consent(citizen)
    await harness.send(citizen, "/appeal")
    await harness.press(citizen, "Техническая неисправность")


async def test_zero_width_description_is_refused_like_empty_text(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await open_technical_appeal(harness, citizen)
    data_before = await harness.data(citizen)
    replies = await harness.send(citizen, ZERO_WIDTH)
    # The reason, then the question again, in one message.
    [reply] = replies
    assert reply.text.startswith(validation.GENERIC["empty"] + "\n\nШаг 1 из 4.")
    assert await harness.state(citizen) == NewAppeal.waiting_for_description.state
    assert await harness.data(citizen) == data_before
    assert "description" not in await harness.data(citizen)


async def test_nul_bytes_never_reach_the_sessions_or_the_appeal(
    harness: BotHarness, citizen: Person, database: BotDatabase, settings: Settings
) -> None:
    await open_technical_appeal(harness, citizen)
    await harness.send(citizen, "Не\x00 открывается\u200b заявление")
    await harness.send(citizen, "Ошибка\x00 500")
    assert await harness.data(citizen) == {
        "kind": "technical",
        "description": "Не открывается заявление",
        "error_text": "Ошибка 500",
    }
    stored = await stored_dialogues(settings, database)
    assert any("500" in data for data in stored)  # the dialogue is among them
    for data in stored:
        assert "\x00" not in data and "\\u0000" not in data and "\\u200b" not in data
        assert "\u200b" not in data  # stored as typed (ensure_ascii=False), not escaped
    await harness.send(citizen, "вчера")
    await harness.press(citizen, "Пропустить")
    replies = await harness.press(citizen, "Отправить")
    assert "Обращение зарегистрировано" in replies[0].text
    row = await database.fetchone("SELECT fields FROM appeals")
    assert "\x00" not in row["fields"] and "\\u0000" not in row["fields"]
    fields = json.loads(row["fields"])
    assert fields["description"] == "Не открывается заявление"
    assert fields["error_text"] == "Ошибка 500"


async def test_formatting_follows_the_text_it_marks(
    harness: BotHarness, citizen: Person, forum: int, database: BotDatabase
) -> None:
    """A relayed message keeps its bold word in place once invisible characters are gone."""
    await harness.dispatcher["appeals"].file(
        citizen.id, citizen.id, "technical", {"description": "Не работает вход"}
    )
    text = "\u200b\u200bСрочно: 👩‍⚕️ жду ответа"
    bold = {"type": "bold", "offset": 2, "length": len("Срочно")}
    await follow_up(harness, citizen, text, entities=[bold])
    relayed = [
        message for message in harness.messages_in(forum) if "жду ответа" in (message.text or "")
    ]
    assert relayed, [message.text for message in harness.messages_in(forum)]
    assert "<b>Срочно</b>: 👩‍⚕️ жду ответа" in relayed[-1].html
