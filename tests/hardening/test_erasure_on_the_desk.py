"""/forget in the operators' chat: erased cards, deleted copies, dropped pending sends.

In process on the fake Telegram: what operators and the citizen see is what the
bot sent, edited and deleted there; the outbox is read from SQLite.
"""

from __future__ import annotations

import pytest

from bot.domain.clock import ManualClock
from bot.domain.models import EventKind
from fake_telegram import StoredMessage
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import card_of, events_of, file_recovery, follow_up

ERASED_CARD_LINE = "🗑 Гражданин удалил свои персональные данные (/forget)"


@pytest.fixture(autouse=True)
async def citizens_consented(harness: BotHarness, citizen: Person, other_citizen: Person) -> None:
    """Both have agreed to the processing of their data: the dialogues open at once."""
    await harness.consent(citizen)
    await harness.consent(other_citizen)


async def forget(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")


def live_in_chat(harness: BotHarness, chat_id: int) -> list[StoredMessage]:
    return [message for message in harness.messages_in(chat_id) if not message.deleted]


async def test_forget_leaves_the_topic_with_only_the_erased_card(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_recovery(harness, citizen)
    card = card_of(harness, number)
    topic = card.thread_id
    await harness.send_to_group(operator, forum, "Пришлите фото паспорта", thread_id=topic)
    await follow_up(harness, citizen, "Паспорт 4510 987654, выдан 01.02.2015")
    await follow_up(harness, citizen, **harness.photo("разворот"))
    await harness.send_to_group(operator, forum, f"/appeal {number}", thread_id=topic)
    assert len(live_in_chat(harness, forum)) > 1

    await forget(harness, citizen)

    card = card_of(harness, number)
    for line in (
        "ФИО: удалено",
        "СНИЛС: удалено",
        "Для ответа: удалено",
        "Описание: удалено",
        ERASED_CARD_LINE,
    ):
        assert line in card.text, line
    for broken in ("у***", "***-***-***", "Для ответа: +"):
        assert broken not in card.text
    assert "👁 Показать данные" not in card.button_labels()
    # The relayed copies (text and photo), the operator's answer and the card shown
    # again are gone: the topic keeps the erased card alone.
    assert live_in_chat(harness, forum) == [card]
    deletions = await database.fetchall(
        "SELECT status FROM outbox WHERE kind = 'delete' AND appeal_id ="
        " (SELECT id FROM appeals WHERE number = ?)",
        (number,),
    )
    assert deletions and {row["status"] for row in deletions} == {"delivered"}

    # Everywhere else an erased field reads «удалено» too, never a mask of it.
    details = await harness.send(citizen, f"/status {number}")
    assert "ФИО: удалено" in details[0].text and "СНИЛС: удалено" in details[0].text
    history = await harness.send_to_group(operator, forum, f"/history {number}", thread_id=topic)
    assert "«удалено»" in history[0].text and "4510" not in history[0].text


async def test_forget_deletes_every_photo_of_an_album_in_a_plain_group(
    harness: BotHarness,
    group: int,
    citizen: Person,
) -> None:
    await harness.send(citizen, "/complaint")
    for answer in ("Не дозвониться", "89123456789", "вчера", "Занято", "Перезвоните"):
        await harness.send(citizen, answer)
    await harness.send_photo(citizen)
    await harness.send_photo(citizen)
    await harness.press(citizen, "Готово")
    replies = await harness.press(citizen, "Отправить")
    number = replies[0].text.split("Номер: ")[1].split("\n")[0]
    photos = [
        message for message in live_in_chat(harness, group) if message.content_type == "photo"
    ]
    assert len(photos) == 2

    await forget(harness, citizen)

    assert live_in_chat(harness, group) == [card_of(harness, number)]
    assert "Номер, с которого звонили: удалено" in card_of(harness, number).text


async def test_sends_pending_at_erasure_are_dropped_not_delivered_later(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    number = await file_recovery(harness, citizen)
    topic = card_of(harness, number).thread_id
    filed = len(harness.sent)
    # Flood control holds the citizen's message for the operators for an hour...
    harness.telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 3600", retry_after=3600, chat_id=forum
    )
    await follow_up(harness, citizen, "Пишет Иванова Анна: паспорт не принимают")
    # ...and the operator's answer for the citizen too.
    harness.telegram.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 3600",
        retry_after=3600,
        chat_id=citizen.id,
    )
    await harness.send_to_group(
        operator, forum, "Анна Сергеевна, проверим паспорт", thread_id=topic
    )
    held = await database.fetchall(
        "SELECT id, audience, payload FROM outbox WHERE status = 'pending' AND kind = 'message'"
    )
    assert {row["audience"]: "Анна" in row["payload"] for row in held} == {
        "operators": True,
        "citizen": True,
    }

    await forget(harness, citizen)
    clock.advance(hours=2)
    await harness.deliver()

    rows = await database.fetchall(
        f"SELECT status, payload, last_error FROM outbox WHERE id IN "
        f"({', '.join('?' * len(held))})",
        [row["id"] for row in held],
    )
    assert [tuple(row) for row in rows] == [("failed", "{}", "personal data erased")] * 2
    sent = [message.text for message in harness.sent[filed:]]
    assert not [text for text in sent if "Иванова Анна" in text or "Анна Сергеевна" in text]
    dropped = [
        event
        for event in await events_of(database, number)
        if event.kind == EventKind.RELAY_DROPPED_ERASED
    ]
    assert len(dropped) == 2
    # Once flood control lets go, the card is redrawn as erased and the topic cleaned.
    assert ERASED_CARD_LINE in card_of(harness, number).text
    assert live_in_chat(harness, forum) == [card_of(harness, number)]
