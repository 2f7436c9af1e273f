"""Steps shared by the operator desk tests: filing appeals as a citizen, finding cards."""

from __future__ import annotations

from typing import Any

from bot.domain.models import AppealEvent, EventKind
from bot.storage.backends import Backend
from fake_telegram import StoredMessage
from testkit.harness import BotHarness, Person
from tests.conftest import OPERATORS_CHAT, BotDatabase


async def file_consultation(
    harness: BotHarness,
    citizen: Person,
    topic: str = "Про пенсию",
    description: str = "Как узнать свой стаж?",
) -> str:
    await harness.consent(citizen)
    await harness.send(citizen, "/appeal")
    await harness.press(citizen, "Консультация")
    await harness.send(citizen, topic)
    await harness.send(citizen, description)
    replies = await harness.press(citizen, "Отправить")
    receipt = next(reply for reply in replies if reply.chat.id == citizen.id)
    return receipt.text.split("Номер: ")[1].split("\n")[0]


async def file_recovery(harness: BotHarness, citizen: Person) -> str:
    """Access recovery: carries a full name, SNILS and a phone, masked on the card."""
    await harness.consent(citizen)
    await harness.send(citizen, "/recovery")
    await harness.press(citizen, "Сменил номер")
    await harness.press(citizen, "поддержку")
    await harness.send(citizen, "Иванова Анна Сергеевна")
    await harness.send(citizen, "112-233-445 95")
    await harness.send(citizen, "+7 912 345-67-89")
    await harness.send(citizen, "Не приходит SMS на новый номер")
    replies = await harness.press(citizen, "Отправить")
    receipt = next(reply for reply in replies if reply.chat.id == citizen.id)
    return receipt.text.split("Номер: ")[1].split("\n")[0]


async def follow_up(
    harness: BotHarness,
    citizen: Person,
    text: str | None = None,
    *,
    number: str = "",
    **content: Any,
) -> list[StoredMessage]:
    """A message outside dialogues the citizen then adds to an open appeal (the one numbered,
    or the only one) with «Это дополнение к обращению № …»; what the press made the bot send."""
    await harness.send(citizen, text, **content)
    return await harness.press(citizen, f"Это дополнение к обращению № {number}")


def operators_messages(harness: BotHarness) -> list[StoredMessage]:
    return [message for message in harness.messages_in(OPERATORS_CHAT) if not message.deleted]


def card_of(harness: BotHarness, number: str) -> StoredMessage:
    """The latest card of the appeal in the operators' chat (as it stands now)."""
    cards = [
        message
        for message in operators_messages(harness)
        if message.text.startswith(("🆕", "🛠", "💬", "✅"))
        and f"Обращение № {number}" in message.text.split("\n")[0]
    ]
    assert cards, f"no card for {number}"
    return cards[-1]


async def events_of(database: BotDatabase, number: str) -> list[AppealEvent]:
    repository = Backend(database).desk
    row = await database.fetchone("SELECT id FROM appeals WHERE number = ?", (number,))
    assert row is not None
    return await repository.events(row[0])


async def event_kinds(database: BotDatabase, number: str) -> list[EventKind]:
    return [event.kind for event in await events_of(database, number)]


async def status_of(database: BotDatabase, number: str) -> str:
    row = await database.fetchone("SELECT status FROM appeals WHERE number = ?", (number,))
    assert row is not None
    return row[0]


async def book_call(
    harness: BotHarness,
    citizen: Person,
    phone: str = "+7 912 345-67-89",
    question: str = "Не приходит код",
    day: str = "Сегодня",
    time: str = "14:00",
) -> str:
    """A callback request through the dialogue; the appeal's number."""
    await harness.consent(citizen)
    await harness.send(citizen, "/callback")
    await harness.send(citizen, phone)
    await harness.send(citizen, question)
    await harness.press(citizen, day)
    await harness.press(citizen, time)
    replies = await harness.press(citizen, "Отправить")
    receipt = next(reply for reply in replies if reply.chat.id == citizen.id)
    return receipt.text.split("Номер: ")[1].split("\n")[0]


async def call_of(database: BotDatabase, number: str) -> dict[str, object]:
    row = await database.fetchone(
        "SELECT callbacks.* FROM callbacks JOIN appeals ON appeals.id = callbacks.appeal_id"
        " WHERE appeals.number = ?",
        (number,),
    )
    assert row is not None
    return dict(row)


def dialogue_button_data(harness: BotHarness, citizen: Person, data: str) -> str:
    """``data`` as a button of the citizen's open dialogue would carry it (a forger copies the
    dialogue's id from a button shown to them); bare ``data`` when no dialogue button is shown."""
    for message in reversed(harness.messages_in(citizen.id)):
        buttons = message.inline_buttons()
        for button in buttons:
            intent, separator, _ = button.get("callback_data", "").partition("\x1d")
            if separator:
                return f"{intent}{separator}{data}"
        if buttons:
            break
    return data
