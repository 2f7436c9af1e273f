"""The outbox keeps what to say (a kind and its values) and renders it when it sends the row;
rows queued before that, with the payload already rendered, are still sent as they are."""

from __future__ import annotations

import json

from bot.domain.clock import ManualClock
from bot.domain.models import AppealChange, Audience, MessageRef, NewOutboxMessage, OutboxKind
from bot.storage.backends import Backend
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import (
    card_of,
    events_of,
    file_consultation,
    follow_up,
    operators_messages,
)


async def payloads(database: BotDatabase, audience: str) -> list[dict[str, object]]:
    rows = await database.fetchall(
        "SELECT payload FROM outbox WHERE audience = ? AND kind = 'message' ORDER BY id",
        (audience,),
    )
    return [json.loads(row["payload"]) for row in rows]


async def test_a_row_holds_the_kind_and_values_and_is_worded_when_sent(
    harness: BotHarness, forum: int, citizen: Person, operator: Person, database: BotDatabase
) -> None:
    number = await file_consultation(harness, citizen)
    harness.auto_deliver = False
    await harness.press(operator, "Взять в работу", card_of(harness, number))
    [row] = await payloads(database, "citizen")
    assert row == {"message": "taken", "values": {"number": number}}
    assert await harness.deliver() >= 1
    notice = harness.messages_in(citizen.id)[-1]
    assert notice.text == (
        f"🛠 Обращение № {number} взято в работу. Ответ специалиста придёт в этот чат."
    )
    assert notice.button_labels() == ["↩️ Ответить по обращению"]


async def test_a_long_answer_is_one_row_split_into_messages_when_sent(
    harness: BotHarness, forum: int, citizen: Person, operator: Person, database: BotDatabase
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    long_text = " ".join(["Слово"] * 1200)  # 7,199 characters: more than one message
    sent = await harness.send_to_group(operator, forum, long_text, thread_id=card.thread_id)
    assert len(sent) > 1 and {message.chat.id for message in sent} == {citizen.id}
    assert sent[0].text.startswith(f"💬 Ответ специалиста по обращению № {number}")
    assert [message.button_labels() for message in sent[:-1]] == [[]] * (len(sent) - 1)
    assert sent[-1].button_labels() == ["↩️ Ответить по обращению"]
    assert sent[-1].text.endswith("Статус обращения: дан ответ.")
    [row] = await payloads(database, "citizen")
    assert row["message"] == "answer" and "params" not in row
    # Every part is a copy of the appeal: a reply to any of them finds it.
    desk = Backend(database).desk
    for message in sent:
        found = await desk.find_by_message(MessageRef(citizen.id, message.message_id))
        assert found is not None and found[0].number == number


async def test_rows_queued_already_rendered_are_still_sent(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    number = await file_consultation(harness, citizen)
    appeal = await harness.dispatcher["desk"].find(number)
    to_citizen = {"method": "sendMessage", "params": {"text": "Старое уведомление <b>готово</b>"}}
    to_operators = {"method": "sendMessage", "params": {"text": "Старая строка для операторов"}}
    await Backend(database).desk.apply(
        [
            AppealChange(
                appeal.id,
                outbox=(
                    NewOutboxMessage(
                        Audience.CITIZEN, OutboxKind.MESSAGE, to_citizen, chat_id=citizen.id
                    ),
                    NewOutboxMessage(Audience.OPERATORS, OutboxKind.MESSAGE, to_operators),
                ),
            )
        ],
        clock.now(),
    )
    assert await harness.deliver() == 2
    assert harness.messages_in(citizen.id)[-1].html == "Старое уведомление <b>готово</b>"
    assert operators_messages(harness)[-1].text == "Старая строка для операторов"
    assert operators_messages(harness)[-1].thread_id == card_of(harness, number).thread_id


async def test_an_edit_queued_already_rendered_is_still_applied(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    [answer] = await harness.send_to_group(
        operator, forum, "Первый ответ", thread_id=card.thread_id
    )
    event = (await events_of(database, number))[-1]
    appeal = await harness.dispatcher["desk"].find(number)
    edit = {
        "event_id": event.id,
        "method": "editMessageText",
        "params": {"text": "Исправленный ответ"},
        "fallback": [],
    }
    await Backend(database).desk.apply(
        [
            AppealChange(
                appeal.id,
                outbox=(
                    NewOutboxMessage(Audience.CITIZEN, OutboxKind.EDIT, edit, chat_id=citizen.id),
                ),
            )
        ],
        clock.now(),
    )
    assert await harness.deliver() == 1
    assert answer.text == "Исправленный ответ"


async def test_photos_and_documents_are_named_in_the_citizens_history(
    harness: BotHarness, forum: int, citizen: Person, operator: Person
) -> None:
    number = await file_consultation(harness, citizen)
    await follow_up(harness, citizen, **harness.photo("Экран с ошибкой"))
    await follow_up(harness, citizen, **harness.document("scan.pdf"))
    card = card_of(harness, number)
    await harness.send_to_group(
        operator, forum, thread_id=card.thread_id, **harness.photo("Вот где это")
    )
    [details] = await harness.send(citizen, f"/status {number}")
    assert "[фото] Экран с ошибкой" in details.text
    assert "[документ scan.pdf]" in details.text
    assert "[фото] Вот где это" in details.text
