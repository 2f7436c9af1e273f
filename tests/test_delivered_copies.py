"""Every copy of a card or a relay works: an operator's reply to any of them reaches the
citizen, and a reply the bot cannot place is answered, never dropped in silence."""

from __future__ import annotations

import pytest

from bot.domain.clock import ManualClock
from bot.services.outbox import OutboxSender
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase, failing_writes
from tests.desk_helpers import card_of, file_consultation, operators_messages

NOT_PLACED = "Не понял, к какому обращению относится ответ"


async def file_complaint_with_two_photos(harness: BotHarness, citizen: Person) -> None:
    await harness.consent(citizen)
    await harness.send(citizen, "/complaint")
    await harness.send(citizen, "Не дозвонился в МФЦ")
    await harness.send(citizen, "8 (495) 123-45-67")
    await harness.send(citizen, "сегодня 10:15")
    await harness.press(citizen, "Не отвечали")
    await harness.send(citizen, "Чтобы перезвонили")
    await harness.send_photo(citizen)
    await harness.send_photo(citizen)
    await harness.press(citizen, "Готово")
    await harness.press(citizen, "Отправить")


async def test_a_reply_to_the_second_photo_of_an_album_reaches_the_citizen(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
) -> None:
    await file_complaint_with_two_photos(harness, citizen)
    photos = [message for message in operators_messages(harness) if message.content_type == "photo"]
    assert len(photos) == 2

    answers = await harness.send_to_group(operator, group, "Видим оба снимка", reply_to=photos[1])

    assert [message.chat.id for message in answers] == [citizen.id]
    assert "Видим оба снимка" in answers[0].text


@pytest.mark.errors_expected
async def test_a_card_posted_again_after_its_record_failed_answers_from_both_copies(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    harness.auto_deliver = False
    number = await file_consultation(harness, citizen)
    sender: OutboxSender = harness.dispatcher["outbox_sender"]
    # Telegram takes the card, then the commit that records it fails (as when the process
    # dies right there): the card is posted again on the next try.
    async with failing_writes(database, "appeal_threads", "INSERT"):
        await sender.run_once(harness.bot)
    clock.advance(minutes=1)
    await harness.deliver()
    cards = [
        message
        for message in operators_messages(harness)
        if message.text.startswith(f"🆕 Обращение № {number}")
    ]
    assert len(cards) == 2
    assert card_of(harness, number) is cards[1]

    harness.auto_deliver = True
    from_first = await harness.send_to_group(
        operator, group, "Ответ на первую копию", reply_to=cards[0]
    )
    from_second = await harness.send_to_group(
        operator, group, "Ответ на вторую копию", reply_to=cards[1]
    )

    assert [message.chat.id for message in from_first + from_second] == [citizen.id] * 2
    assert "Ответ на первую копию" in from_first[0].text
    assert "Ответ на вторую копию" in from_second[0].text


async def test_a_reply_the_bot_cannot_place_is_answered_and_not_relayed(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
) -> None:
    await file_consultation(harness, citizen)
    stats, _chart = await harness.send_to_group(operator, group, "/stats")

    answer = await harness.send_to_group(operator, group, "Это кому?", reply_to=stats)

    assert [message.chat.id for message in answer] == [group]
    assert answer[0].text.startswith(NOT_PLACED)
    assert "Гражданину ничего не отправлено" in answer[0].text
    # A message replying to nothing of the bot's is colleagues talking: left alone.
    assert await harness.send_to_group(operator, group, "Кто возьмёт?") == []
