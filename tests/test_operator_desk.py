"""The operator desk end to end: citizens and operators send real updates through the
dispatcher; the tests look at what each side received and at SQLite."""

from __future__ import annotations

import pytest

from bot.callback_data import Desk, DeskAction, Rating, RatingAction
from bot.domain.clock import ManualClock
from bot.domain.models import AppealStatus, EventKind, MessageAuthor, MessageRef
from bot.states.conversation import RatingFeedback
from fake_telegram import DirectSession
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, BotDatabase, StartDispatcher, bot_database
from tests.desk_helpers import (
    card_of,
    event_kinds,
    events_of,
    file_consultation,
    file_recovery,
    follow_up,
    operators_messages,
    status_of,
)


async def test_filed_appeal_gets_its_own_topic_and_card(
    harness: BotHarness, forum: int, citizen: Person, database: BotDatabase
) -> None:
    number = await file_consultation(harness, citizen, "Про пенсию", "Как узнать <свой> стаж?")

    topics = harness.telegram.calls_to("createForumTopic")
    assert [request.params["name"] for request in topics] == [f"{number} · Консультация"]
    card = card_of(harness, number)
    topic_id = next(iter(harness.topics(forum)))
    assert card.thread_id == topic_id
    assert card.text.splitlines()[:4] == [
        f"🆕 Обращение № {number}",
        "Тип: Консультация",
        "Статус: новое",
        "Подано: 23.11.2026 12:00",
    ]
    assert "Описание: Как узнать <свой> стаж?" in card.text
    assert card.button_labels() == ["✅ Закрыть", "📋 Шаблоны", "🛠 Взять в работу"]
    assert await event_kinds(database, number) == [
        EventKind.FILED,
        EventKind.TOPIC_CREATED,
        EventKind.CARD_POSTED,
    ]
    assert (await events_of(database, number))[2].copy == MessageRef(forum, card.message_id)
    assert await database.fetchall("SELECT * FROM outbox WHERE status != 'delivered'") == []


async def test_plain_group_threads_everything_by_reply_to_the_card(
    harness: BotHarness, group: int, citizen: Person, operator: Person
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    assert card.thread_id is None
    assert "ответьте на эту карточку (текст" in card.text

    relayed = await follow_up(harness, citizen, "Забыл добавить: СНИЛС есть")
    copy = next(message for message in relayed if message.chat.id == group)
    assert copy.reply_to.message_id == card.message_id
    assert copy.text == f"💬 Гражданин · № {number}\nЗабыл добавить: СНИЛС есть"
    assert harness.telegram.calls_to("createForumTopic") == []

    answers = await harness.send_to_group(operator, group, "Спасибо, посмотрим", reply_to=card)
    assert [message.chat.id for message in answers] == [citizen.id]


async def test_personal_data_masked_and_revealed_to_operators_only(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    stranger: Person,
    database: BotDatabase,
) -> None:
    number = await file_recovery(harness, citizen)
    card = card_of(harness, number)
    assert "ФИО: И*** А*** С***" in card.text
    assert "СНИЛС: ***-***-*** 95" in card.text
    assert "Для ответа: +7 912 ***-**-89" in card.text
    for secret in ("Иванова", "112-233-445", "345-67"):
        assert secret not in card.text
    assert "👁 Показать данные" in card.button_labels()

    await harness.press(stranger, "Показать данные", card)
    refusal = harness.telegram.callback_answers[-1]
    assert refusal.text == "Это доступно только операторам поддержки." and refusal.show_alert
    assert EventKind.DATA_REVEALED not in await event_kinds(database, number)

    sent = await harness.press(operator, "Показать данные", card)
    assert sent == []  # nothing posted in the chat: the data is for the presser only
    alert = harness.telegram.callback_answers[-1]
    assert alert.show_alert
    assert alert.text == (
        f"Данные по № {number}:\nФИО: Иванова Анна Сергеевна\n"
        "СНИЛС: 112-233-445 95\nДля ответа: +7 912 345-67-89"
    )
    revealed = (await events_of(database, number))[-1]
    assert revealed.kind == EventKind.DATA_REVEALED and revealed.actor.id == operator.id


# What citizens type into free text, as operators must not see it: (typed, masked).
TYPED_SECRETS = [
    ("Паспорт 4510 987654", "Паспорт **** ****54"),
    ("+7 (912) 345-67-89", "+* (***) ***-**-89"),
    ("8 912 345 67 89", "* *** *** ** 89"),
    ("89123456789", "*********89"),
    ("СНИЛС 112-233-445 95", "СНИЛС ***-***-*** 95"),
    ("anna.petrova@mail.ru", "a***@mail.ru"),
    ("карта 4276 3800 1234 5678", "карта **** **** **** 5678"),
]


async def test_personal_data_in_free_text_is_masked_on_cards_and_relays(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    typed = [secret for secret, _ in TYPED_SECRETS]
    number = await file_consultation(
        harness, citizen, f"Пишу с {typed[5]}", f"{typed[0]} не принимают, {typed[4]}, {typed[6]}"
    )
    card = card_of(harness, number)
    assert f"Тема: Пишу с {TYPED_SECRETS[5][1]}" in card.text
    assert (
        f"Описание: {TYPED_SECRETS[0][1]} не принимают, {TYPED_SECRETS[4][1]}, "
        f"{TYPED_SECRETS[6][1]}"
    ) in card.text
    assert "👁 Показать данные" in card.button_labels()

    relayed = await follow_up(harness, citizen, f"Звоните: {typed[1]}, {typed[2]} или {typed[3]}")
    copy = next(message for message in relayed if message.chat.id == forum)
    assert copy.text == (
        f"💬 Гражданин · № {number}\nЗвоните: {TYPED_SECRETS[1][1]}, "
        f"{TYPED_SECRETS[2][1]} или {TYPED_SECRETS[3][1]}"
    )
    commented = await follow_up(harness, citizen, f"И ещё: {typed[0]}")
    assert any(
        TYPED_SECRETS[0][1] in message.text for message in commented if message.chat.id == forum
    )
    history = await harness.send_to_group(operator, forum, f"/history {number}")
    shown_to_operators = [message.text for message in operators_messages(harness)]
    for secret in (
        "4510 987654",
        "345-67-89",
        "345 67 89",
        "89123456789",
        "112-233-445",
        "anna.petrova",
        "4276 3800 1234",
    ):
        assert not any(secret in text for text in shown_to_operators), secret
    assert TYPED_SECRETS[0][1] in history[0].text

    # «Показать данные» still shows everything, to the presser alone, and it is recorded.
    revealed = await harness.press(operator, "Показать данные", card_of(harness, number))
    assert [message.chat.id for message in revealed] == [operator.id]
    for secret in typed:
        assert secret in revealed[0].text, secret
    assert (await events_of(database, number))[-1].kind == EventKind.DATA_REVEALED


async def test_complaint_attachments_arrive_as_an_album_after_the_card(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    await harness.consent(citizen)
    await harness.send(citizen, "/complaint")
    await harness.send(citizen, "Не дозвонился в МФЦ")
    await harness.send(citizen, "8 (495) 123-45-67")
    await harness.send(citizen, "сегодня 10:15")
    await harness.press(citizen, "Не отвечали")
    await harness.send(citizen, "Чтобы перезвонили")
    await harness.send_photo(citizen)
    await harness.send_photo(citizen)
    await harness.send_document(citizen, "ответ.pdf")
    await harness.press(citizen, "Готово")
    await harness.press(citizen, "Отправить")

    in_topic = operators_messages(harness)
    assert [message.content_type for message in in_topic] == ["text", "photo", "photo", "document"]
    assert "📎 Вложений: 3 (ниже)" in in_topic[0].text
    *photos, scan = harness.user_messages[-3:]
    album = harness.telegram.calls_to("sendMediaGroup")
    assert len(album) == 1
    media = album[0].params["media"]
    # The largest size of each photo the citizen sent, by its file_id.
    assert [item["media"] for item in media] == [photo.media[-1].file_id for photo in photos]
    assert "Вложения к обращению" in media[0].get("caption", "")
    document = harness.telegram.calls_to("sendDocument")
    assert document[0].params["document"] == scan.media.file_id
    topic_id = in_topic[0].thread_id
    assert all(message.thread_id == topic_id for message in in_topic)


async def test_take_assigns_the_operator_and_tells_the_citizen(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    second_operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)

    sent = await harness.press(operator, "Взять в работу", card)
    assert [message.chat.id for message in sent] == [citizen.id]
    assert sent[0].text == (
        f"🛠 Обращение № {number} взято в работу. Ответ специалиста придёт в этот чат."
    )
    assert sent[0].button_labels() == ["↩️ Ответить по обращению"]
    assert (
        harness.telegram.callback_answers[-1].text
        == f"🛠 Обращение № {number} взято в работу, специалист: Ирина (@irina)."
    )
    assert card.edits and "Статус: в работе" in card.text
    assert "Ответственный: Ирина (@irina)" in card.text
    assert card.button_labels() == ["✅ Закрыть", "📋 Шаблоны"]
    assert await status_of(database, number) == AppealStatus.IN_PROGRESS
    taken = (await events_of(database, number))[-1]
    assert (taken.kind, taken.actor.id, taken.status_before, taken.status_after) == (
        EventKind.TAKEN,
        operator.id,
        AppealStatus.NEW,
        AppealStatus.IN_PROGRESS,
    )

    # A colleague presses the same (stale) button: refused, nothing changes.
    edits_before = len(card.edits)
    again = await harness.press_data(
        second_operator, Desk(action=DeskAction.TAKE, number=number).pack(), card
    )
    assert again == []
    assert harness.telegram.callback_answers[-1].text == "Обращение уже в работе: Ирина (@irina)."
    assert len(card.edits) == edits_before
    assert (await event_kinds(database, number)).count(EventKind.TAKEN) == 1


async def test_operator_answer_in_topic_reaches_citizen_without_operator_name(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)

    sent = await harness.send_to_group(
        operator, forum, "Смотрите раздел <b>«Пенсия»</b> & стаж", thread_id=card.thread_id
    )
    assert [message.chat.id for message in sent] == [citizen.id]
    answer = sent[0]
    assert answer.text == (
        f"💬 Ответ специалиста по обращению № {number}\n\n"
        "Смотрите раздел <b>«Пенсия»</b> & стаж\n\n"
        "Статус обращения: дан ответ."
    )
    assert "Ирина" not in answer.text and "irina" not in answer.text
    assert answer.button_labels() == ["↩️ Ответить по обращению"]
    assert await status_of(database, number) == AppealStatus.ANSWERED
    row = await database.fetchone(
        "SELECT first_answered_at, assignee_id FROM appeals WHERE number = ?", (number,)
    )
    assert row is not None and row[0] is not None and row[1] == operator.id
    event = (await events_of(database, number))[-1]
    assert event.kind == EventKind.OPERATOR_MESSAGE
    assert event.actor.kind == MessageAuthor.OPERATOR and event.actor.id == operator.id
    operator_message = harness.last_message_of(operator)
    assert event.origin == MessageRef(forum, operator_message.message_id)
    assert event.copy == MessageRef(citizen.id, answer.message_id)
    assert "Статус: дан ответ" in card.text

    # A second answer does not repeat the status line: the status did not change.
    second = await harness.send_to_group(operator, forum, "Ещё уточнение", thread_id=card.thread_id)
    assert "Статус обращения" not in second[0].text

    details = await harness.send(citizen, f"/status {number}")
    assert "Специалист: Смотрите раздел <b>«Пенсия»</b> & стаж" in details[0].text


async def test_photo_answer_by_reply_to_card_in_a_group(
    harness: BotHarness, group: int, citizen: Person, operator: Person
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    sent = await harness.send_to_group(
        operator, group, reply_to=card, **harness.photo("Вот где это в личном кабинете")
    )
    assert len(sent) == 1 and sent[0].chat.id == citizen.id and sent[0].content_type == "photo"
    assert sent[0].text.startswith(
        f"💬 Ответ специалиста по обращению № {number}\n\nВот где это в личном кабинете"
    )


async def test_replies_find_their_counterparts_both_ways(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)

    relayed = await follow_up(harness, citizen, "А если стажа нет?")
    citizen_original = harness.last_message_of(citizen)
    assert relayed[0].chat.id == citizen.id
    assert relayed[0].text == f"✉️ Сообщение передано специалисту по обращению № {number}."
    copy = relayed[1]
    event = (await events_of(database, number))[-1]
    assert (event.kind, event.origin, event.copy) == (
        EventKind.CITIZEN_MESSAGE,
        MessageRef(citizen.id, citizen_original.message_id),
        MessageRef(group, copy.message_id),
    )

    # The operator replies to the copy: the citizen sees a reply to their own message.
    answers = await harness.send_to_group(operator, group, "Тогда нужна справка", reply_to=copy)
    assert answers[0].reply_to.message_id == citizen_original.message_id
    operator_original = harness.last_message_of(operator)

    # The citizen replies to the answer: the operators see a reply to the operator's message.
    back = await harness.reply_to(citizen, answers[0], "Какая именно?")
    to_operators = next(message for message in back if message.chat.id == group)
    assert to_operators.reply_to.message_id == operator_original.message_id
    assert card.message_id != operator_original.message_id


async def test_several_open_appeals_each_message_keeps_its_own_offer(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    first = await file_consultation(harness, citizen, "Первое", "Описание первого")
    second = await file_consultation(harness, citizen, "Второе", "Описание второго")
    before = len(operators_messages(harness))

    asked = await harness.send(citizen, "Это по второму обращению")
    assert len(asked) == 1
    assert asked[0].text.startswith("Сообщение пока никуда не отправлено")
    assert asked[0].button_labels() == [
        f"📎 Это дополнение к обращению № {first}",
        f"📎 Это дополнение к обращению № {second}",
        "🏠 Главное меню",
    ]
    # A new question meanwhile is routed, and the earlier message keeps waiting.
    routed = await harness.send(citizen, "перезвоните мне")
    assert routed[0].button_labels()[0] == "📞 Обратный звонок"
    assert f"📎 Это дополнение к обращению № {first}" in routed[0].button_labels()
    # Opening a dialogue and leaving it loses nothing either.
    await harness.send(citizen, "/complaint")
    await harness.send(citizen, "/cancel")
    assert len(operators_messages(harness)) == before

    offer = asked[0].reply_markup["inline_keyboard"][1][0]["callback_data"]
    chosen = await harness.press(citizen, f"№ {second}", asked[0])
    assert chosen[0].text == f"✉️ Сообщение передано специалисту по обращению № {second}."
    copy = chosen[1]
    assert copy.chat.id == forum and copy.text.endswith("Это по второму обращению")
    assert copy.thread_id == card_of(harness, second).thread_id
    assert asked[0].button_labels() == ["🏠 Главное меню"]  # the offers are gone, the menu stays

    # Sent once: the same offer pressed again (a second tap) relays nothing.
    again = await harness.press_data(citizen, offer, asked[0])
    assert again == []
    assert harness.telegram.callback_answers[-1].text == (
        "Это сообщение бот уже не хранит. Отправьте его ещё раз, пожалуйста."
    )


async def test_a_message_waits_for_its_offer_a_day(
    harness: BotHarness, forum: int, citizen: Person, clock: ManualClock
) -> None:
    number = await file_consultation(harness, citizen)
    asked = await harness.send(citizen, "Забыла приложить справку")
    clock.advance(hours=25)
    again = await harness.press(citizen, f"№ {number}", asked[0])
    assert again == []
    assert harness.telegram.callback_answers[-1].text.startswith("Это сообщение бот уже не хранит")


async def test_reply_button_then_a_photo(
    harness: BotHarness, forum: int, citizen: Person, operator: Person
) -> None:
    number = await file_consultation(harness, citizen)
    await harness.press(operator, "Взять в работу", card_of(harness, number))

    prompt = await harness.press(citizen, "Ответить по обращению")
    assert prompt[0].text.startswith(f"Напишите сообщение по обращению № {number}")
    sticker = await harness.send_sticker(citizen)
    assert sticker[0].text == (
        "Специалисту можно отправить текст, фото или документ.\n\n"
        f"Напишите сообщение по обращению № {number}: текст, фото или "
        "документ. Его получит специалист."
    )
    sent = await harness.send_photo(citizen, "скриншот ошибки")
    assert sent[0].text.startswith("✉️ Сообщение передано")
    assert sent[1].content_type == "photo" and sent[1].chat.id == forum
    assert sent[1].text == f"💬 Гражданин · № {number}\nскриншот ошибки"


async def test_a_message_naming_an_appeal_number_is_left_to_the_status_lookup(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    number = await file_consultation(harness, citizen)
    before = len(operators_messages(harness))
    replies = await harness.send(citizen, f"Что с обращением {number}?")
    assert len(operators_messages(harness)) == before
    assert [message.chat.id for message in replies] == [citizen.id, citizen.id]
    assert replies[0].text.startswith(f"Обращение № {number}")  # the status lookup's answer
    assert replies[1].text.startswith("Сообщение пока никуда не отправлено")


async def test_without_an_open_appeal_messages_go_to_the_menu(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    replies = await harness.send(citizen, "Здравствуйте")
    assert replies[0].text.startswith("Я не понял сообщение")
    assert operators_messages(harness) == []


async def test_citizen_edit_shown_to_operators_under_the_copy(
    harness: BotHarness, forum: int, citizen: Person, database: BotDatabase
) -> None:
    number = await file_consultation(harness, citizen)
    relayed = await follow_up(harness, citizen, "Номер заявления 12345")
    copy = relayed[1]
    original = harness.last_message_of(citizen)

    notice = await harness.edit(citizen, original, "Номер заявления 123456")
    assert len(notice) == 1 and notice[0].chat.id == forum
    assert notice[0].text == f"✏️ Гражданин изменил сообщение · № {number}\nНомер заявления 123456"
    assert notice[0].reply_to.message_id == copy.message_id
    assert notice[0].thread_id == copy.thread_id
    assert (await events_of(database, number))[-1].kind == EventKind.CITIZEN_EDIT

    # An edit of a dialogue answer (never relayed) is nobody's business.
    first_answer = next(
        message for message in harness.user_messages if message.text == "Про пенсию"
    )
    assert await harness.edit(citizen, first_answer, "Про налоги") == []


async def test_operator_edit_edits_the_citizens_copy_or_sends_a_correction(
    harness: BotHarness, forum: int, citizen: Person, operator: Person
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    answer = (
        await harness.send_to_group(operator, forum, "Срок 10 дней", thread_id=card.thread_id)
    )[0]
    original = harness.last_message_of(operator)

    assert await harness.edit(operator, original, "Срок 5 рабочих дней") == []
    assert answer.text == f"💬 Ответ специалиста по обращению № {number}\n\nСрок 5 рабочих дней"
    assert answer.button_labels() == ["↩️ Ответить по обращению"]

    harness.telegram.fail_next("editMessageText", 400, "Bad Request: message can't be edited")
    sent = await harness.edit(operator, original, "Срок 3 рабочих дня")
    assert [message.chat.id for message in sent] == [citizen.id]
    assert sent[0].text.startswith(f"✏️ Специалист исправил ответ по обращению № {number}")
    assert sent[0].reply_to.message_id == answer.message_id


async def test_close_asks_for_resolution_then_citizen_rates(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    thread = card.thread_id

    prompt = await harness.press(operator, "Закрыть", card)
    assert prompt[0].text.startswith(f"Закрытие обращения № {number}. Напишите")
    assert prompt[0].button_labels() == ["Закрыть без итога", "Не закрывать"]
    wrong = await harness.send_sticker(operator, forum, thread_id=thread)
    assert wrong[0].text.startswith("Итог нужен текстом.")
    assert await status_of(database, number) == AppealStatus.NEW

    closed = await harness.send_to_group(
        operator, forum, "Стаж подтверждён выпиской", thread_id=thread
    )
    to_citizen = next(message for message in closed if message.chat.id == citizen.id)
    assert to_citizen.text == (
        f"✅ Обращение № {number} закрыто.\n"
        "Итог: Стаж подтверждён выпиской\n\n"
        "Оцените, пожалуйста, ответ: от 1 (плохо) до 5 (отлично)."
    )
    assert to_citizen.button_labels() == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    assert await status_of(database, number) == AppealStatus.CLOSED
    assert "Итог: Стаж подтверждён выпиской" in card.text and card.button_labels() == []

    thanks = await harness.press(citizen, "4", to_citizen)
    assert thanks[0].text.startswith("Спасибо за оценку 4 из 5!")
    assert to_citizen.button_labels() == []  # the rating buttons are gone
    assert "Оценка гражданина: ★★★★☆ 4/5" in card.text
    await harness.send(citizen, "Быстро и понятно")
    assert "Отзыв: Быстро и понятно" in card.text

    await harness.press_data(
        citizen, Rating(action=RatingAction.SCORE, number=number, score=1).pack()
    )
    assert harness.telegram.callback_answers[-1].text == "Вы уже оценили ответ по этому обращению."
    row = await database.fetchone(
        "SELECT rating, rating_comment, resolution FROM appeals WHERE number = ?", (number,)
    )
    assert row is not None and tuple(row) == (4, "Быстро и понятно", "Стаж подтверждён выпиской")
    closed_event = next(
        event for event in await events_of(database, number) if event.kind == EventKind.CLOSED
    )
    assert (closed_event.actor.id, closed_event.status_after) == (operator.id, AppealStatus.CLOSED)

    late = await harness.send_to_group(operator, forum, "Ещё одно", thread_id=thread)
    assert [message.chat.id for message in late] == [forum]
    assert late[0].text == f"Обращение № {number} закрыто: сообщение гражданину не отправлено."
    after_close = await harness.send(citizen, "А можно ещё вопрос?")
    assert after_close[0].text.startswith("Я не понял сообщение")  # no open appeal left


async def test_the_rating_comment_step_asks_again_and_can_be_skipped(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    await harness.press(operator, "Закрыть", card_of(harness, number))
    closed = await harness.send_to_group(
        operator, group, "Готово", reply_to=card_of(harness, number)
    )
    request = next(message for message in closed if message.chat.id == citizen.id)
    await harness.press(citizen, "2", request)
    assert await harness.state(citizen) == RatingFeedback.waiting_for_comment.state
    replies = await harness.send_sticker(citizen)
    assert replies[0].text.startswith("Отзыв нужен текстом (до 1000 символов)")
    assert "Спасибо за оценку 2 из 5!" in replies[0].text
    assert replies[0].button_labels() == ["Без отзыва"]
    replies = await harness.press(citizen, "Без отзыва")
    assert replies[0].text == "Оценка сохранена, без отзыва."
    assert await harness.state(citizen) is None
    row = await database.fetchone("SELECT rating, rating_comment FROM appeals")
    assert row is not None and tuple(row) == (2, None)


async def test_close_without_resolution_or_change_of_mind(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    prompt = (await harness.press(operator, "Закрыть", card))[0]
    kept = await harness.press(operator, "Не закрывать", prompt)
    assert kept == [] and prompt.text == f"Обращение № {number} остаётся открытым."
    assert await status_of(database, number) == AppealStatus.NEW
    # With the closing cancelled, the next message is an answer again, not a resolution.
    answer = await harness.send_to_group(operator, group, "Уточните вопрос", reply_to=card)
    assert answer[0].chat.id == citizen.id

    prompt = (await harness.press(operator, "Закрыть", card))[0]
    closed = await harness.press(operator, "Закрыть без итога", prompt)
    citizen_notice = next(message for message in closed if message.chat.id == citizen.id)
    assert "Итог" not in citizen_notice.text
    assert await status_of(database, number) == AppealStatus.CLOSED


async def test_a_reply_to_another_card_while_closing_goes_to_that_citizen(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    first = await file_consultation(harness, citizen)
    second = await file_consultation(harness, other_citizen)
    prompt = (await harness.press(operator, "Закрыть", card_of(harness, first)))[0]

    answer = await harness.send_to_group(
        operator, group, "Ответ Борису", reply_to=card_of(harness, second)
    )
    assert [message.chat.id for message in answer] == [other_citizen.id]
    assert "Ответ Борису" in answer[0].text
    assert not any("Ответ Борису" in message.text for message in harness.messages_in(citizen.id))
    assert await status_of(database, first) == AppealStatus.NEW
    assert await status_of(database, second) == AppealStatus.ANSWERED

    # The closing is still pending: the next message outside other appeals is its resolution.
    closed = await harness.send_to_group(operator, group, "Вопрос решён", reply_to=prompt)
    to_citizen = next(message for message in closed if message.chat.id == citizen.id)
    assert "Итог: Вопрос решён" in to_citizen.text
    assert await status_of(database, first) == AppealStatus.CLOSED


async def test_a_message_in_another_topic_while_closing_is_relayed_there(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    first = await file_consultation(harness, citizen)
    second = await file_consultation(harness, other_citizen)
    await harness.press(operator, "Закрыть", card_of(harness, first))

    answer = await harness.send_to_group(
        operator, forum, "Ответ Борису", thread_id=card_of(harness, second).thread_id
    )
    assert [message.chat.id for message in answer] == [other_citizen.id]
    assert await status_of(database, first) == AppealStatus.NEW

    closed = await harness.send_to_group(
        operator, forum, "Вопрос решён", thread_id=card_of(harness, first).thread_id
    )
    assert any(
        message.chat.id == citizen.id and "Итог: Вопрос решён" in message.text for message in closed
    )
    assert await status_of(database, first) == AppealStatus.CLOSED


async def test_strangers_are_refused_and_nothing_changes(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    stranger: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    events_before = await event_kinds(database, number)
    sent_before = len(harness.sent)

    for label in ("Взять в работу", "Закрыть", "Шаблоны"):
        assert await harness.press(stranger, label, card) == []
        answer = harness.telegram.callback_answers[-1]
        assert answer.text == "Это доступно только операторам поддержки." and answer.show_alert

    refused = await harness.send_to_group(stranger, forum, "/stats")
    assert refused[0].text == "Это доступно только операторам поддержки."
    refused = await harness.send_to_group(stranger, forum, f"/ban {number}")
    assert refused[0].text == "Это доступно только операторам поддержки."
    refused = await harness.send_to_group(
        stranger, forum, "Я тоже отвечу", thread_id=card.thread_id
    )
    assert [message.chat.id for message in refused] == [forum]
    anonymous = await harness.send_to_group(stranger, forum, "/open", sender_chat=True)
    assert anonymous[0].text.startswith("Бот не знает, кто пишет")
    private = await harness.send(citizen, "/stats")
    assert private[0].text == "Эта команда доступна только операторам поддержки в их рабочем чате."

    assert await status_of(database, number) == AppealStatus.NEW
    assert await event_kinds(database, number) == events_before
    assert all(
        message.chat.id != citizen.id or message.text.startswith("Эта команда")
        for message in harness.sent[sent_before:]
    )
    assert (
        await database.fetchall("SELECT user_id FROM citizen_flags WHERE banned_at IS NOT NULL")
        == []
    )


async def test_operator_ids_let_non_members_act(
    settings,
    tmp_path,
    clock: ManualClock,
    citizen: Person,
    stranger: Person,
    start_dispatcher: StartDispatcher,
) -> None:
    from bot.factory import create_bot

    listed = settings.model_copy(
        update={
            "operator_ids": frozenset({stranger.id}),
            "database_path": tmp_path / "listed.sqlite3",
        }
    )
    database = bot_database(listed)
    await database.connect()
    try:
        telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT, forum=True)  # no members
        harness = BotHarness(
            await start_dispatcher(listed, database, clock, telegram),
            create_bot(listed, session=DirectSession(telegram)),
            telegram,
        )
        number = await file_consultation(harness, citizen)
        await harness.press(stranger, "Взять в работу", card_of(harness, number))
        assert await status_of(database, number) == AppealStatus.IN_PROGRESS
        assert telegram.calls_to("getChatMember") == []  # the list is enough
    finally:
        await database.close()


@pytest.mark.sqlite_only(reason="in Redis the membership cache expires on the server's clock")
async def test_membership_is_remembered_briefly(
    harness: BotHarness,
    forum: int,
    operator: Person,
    clock: ManualClock,
) -> None:
    await harness.send_to_group(operator, forum, "/open")
    harness.set_member(forum, operator, "left")
    still = await harness.send_to_group(operator, forum, "/open")
    assert still[0].text.startswith("Открытых обращений нет")
    assert len(harness.telegram.calls_to("getChatMember")) == 1
    clock.advance(seconds=61)
    gone = await harness.send_to_group(operator, forum, "/open")
    assert gone[0].text == "Это доступно только операторам поддержки."


async def test_appeal_open_stats_and_history_commands(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    clock: ManualClock,
    database: BotDatabase,
) -> None:
    first = await file_consultation(harness, citizen, "Первое", "Описание")
    clock.advance(hours=2, minutes=5)
    second = await file_consultation(harness, other_citizen, "Второе", "Описание")
    clock.advance(minutes=30)

    listing = await harness.send_to_group(operator, forum, "/open")
    assert listing[0].text.splitlines() == [
        "📂 Открытые обращения: 2 (сначала самые старые)",
        f"№ {first} · Консультация · новое · ждёт 2 ч 35 мин",
        f"№ {second} · Консультация · новое · ждёт 30 мин",
    ]

    shown = await harness.send_to_group(operator, forum, f"/appeal {second}")
    assert shown[0].text.startswith(f"🆕 Обращение № {second}")
    assert shown[0].button_labels() == ["✅ Закрыть", "📋 Шаблоны", "🛠 Взять в работу"]
    answered = await harness.send_to_group(operator, forum, "Ответ по второму", reply_to=shown[0])
    assert answered[0].chat.id == other_citizen.id
    clock.advance(minutes=10)
    await harness.send_to_group(
        operator, forum, "Ответ по первому", thread_id=card_of(harness, first).thread_id
    )
    card = card_of(harness, first)
    await harness.press(operator, "Закрыть", card)
    await harness.send_to_group(operator, forum, "Готово", thread_id=card.thread_id)
    await harness.press(citizen, "5")

    stats = await harness.send_to_group(operator, forum, "/stats")
    assert stats[0].text.splitlines() == [
        "📊 Статистика обращений",
        "Всего: 2",
        "По статусам: дан ответ 1 · закрыто 1",
        "По типам: Консультация 2",
        # first waited 2 h 45 min, second 30 min: the median of two is their mean
        "Медиана времени до первого ответа: 1 ч 37 мин (обращений с ответом: 2)",
        "Средняя оценка: 5,0 из 5 (оценок: 1)",
    ]

    history = await harness.send_to_group(operator, forum, f"/history {first}")
    lines = history[0].text.splitlines()
    assert lines[0] == f"🗂 История обращения № {first}"
    assert (
        "Ирина (@irina): ответ гражданину (новое → дан ответ) «Ответ по первому»" in history[0].text
    )
    assert "гражданин: оценка «5»" in history[0].text

    for text, expected in [
        ("/appeal", "Укажите номер обращения: /appeal 2026-000042"),
        ("/appeal 12", "Номер обращения выглядит так: 2026-000042."),
        ("/appeal 2026-999999", "Обращение № 2026-999999 не найдено."),
    ]:
        replies = await harness.send_to_group(operator, forum, text)
        assert replies[0].text == expected


async def test_templates_are_managed_and_sent(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    thread = card.thread_id

    empty = await harness.press(operator, "Шаблоны", card)
    assert empty == [] and harness.telegram.callback_answers[-1].text.startswith(
        "Шаблонов пока нет"
    )
    usage = await harness.send_to_group(operator, forum, "/template_add Приветствие")
    assert usage[0].text.startswith("Формат: /template_add Название | Текст ответа")
    added = await harness.send_to_group(
        operator, forum, "/template_add Стаж | Стаж виден в разделе «Пенсионные накопления»."
    )
    assert added[0].text == "Шаблон «Стаж» сохранён."
    duplicate = await harness.send_to_group(operator, forum, "/template_add СТАЖ | другое")
    assert duplicate[0].text.startswith("Шаблон «СТАЖ» уже есть")
    await harness.send_to_group(operator, forum, "/template_add Срок\nОтвет придёт за 5 дней.")

    listing = await harness.send_to_group(operator, forum, "/templates")
    assert "Стаж: Стаж виден в разделе «Пенсионные накопления»." in listing[0].text
    assert listing[0].button_labels() == []  # outside an appeal: a list, nothing to send to

    picker = (await harness.send_to_group(operator, forum, "/templates", thread_id=thread))[0]
    assert picker.button_labels() == ["Срок", "Стаж"]
    # A template is shown before it is sent; «Отмена» goes back to the list.
    assert await harness.press(operator, "Срок", picker) == []
    assert picker.text == (
        f"📋 Шаблон «Срок» по обращению № {number}. Гражданин получит:\n\n"
        "Ответ придёт за 5 дней.\n\nОтправить?"
    )
    assert picker.button_labels() == ["✅ Отправить", "✖️ Отмена"]
    await harness.press(operator, "Отмена", picker)
    assert picker.button_labels() == ["Срок", "Стаж"]
    await harness.press(operator, "Стаж", picker)
    sent = await harness.press(operator, "Отправить", picker)
    assert [message.chat.id for message in sent] == [citizen.id]
    assert sent[0].text.startswith(
        f"💬 Ответ специалиста по обращению № {number}\n\n"
        "Стаж виден в разделе «Пенсионные накопления»."
    )
    assert picker.text == (
        f"📋 Гражданину отправлен шаблон «Стаж» по обращению № {number} (Ирина (@irina))."
    )
    assert picker.button_labels() == []
    event = (await events_of(database, number))[-1]
    assert event.kind == EventKind.OPERATOR_MESSAGE and event.content == {
        "kind": "text",
        "template": "Стаж",
    }

    # The same template again within a minute (a second press, a button that moved): asked.
    second_picker = (await harness.press(operator, "Шаблоны", card))[0]
    await harness.press(operator, "Стаж", second_picker)
    assert await harness.press(operator, "Отправить", second_picker) == []
    assert second_picker.text == (
        f"📋 Шаблон «Стаж» уже отправлен по обращению № {number} "
        "меньше минуты назад. Отправить его ещё раз?"
    )
    assert second_picker.button_labels() == ["✅ Да, отправить ещё раз", "✖️ Отмена"]
    again = await harness.press(operator, "Да, отправить ещё раз", second_picker)
    assert [message.chat.id for message in again] == [citizen.id]
    assert second_picker.text.startswith("📋 Гражданину отправлен шаблон «Стаж»")
    harness.dispatcher["clock"].advance(seconds=61)  # a minute later: sent at once
    third_picker = (await harness.press(operator, "Шаблоны", card))[0]
    await harness.press(operator, "Стаж", third_picker)
    later = await harness.press(operator, "Отправить", third_picker)
    assert [message.chat.id for message in later] == [citizen.id]

    second_picker = (await harness.press(operator, "Шаблоны", card))[0]
    deleted = await harness.send_to_group(operator, forum, "/template_del срок")
    assert deleted[0].text == "Шаблон «срок» удалён."
    assert await harness.press(operator, "Срок", second_picker) == []
    assert harness.telegram.callback_answers[-1].text == "Этого шаблона больше нет."
    missing = await harness.send_to_group(operator, forum, "/template_del Срок")
    assert missing[0].text == "Шаблона «Срок» нет. Список: /templates"


async def test_ban_stops_relaying_and_unban_resumes(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    thread = card.thread_id

    banned = await harness.send_to_group(operator, forum, "/ban", thread_id=thread)
    assert banned[0].text.startswith(f"⛔ Сообщения гражданина (обращение № {number})")
    assert "⛔ Переписка остановлена операторами" in card.text
    again = await harness.send_to_group(operator, forum, "/ban", thread_id=thread)
    assert again[0].text.startswith("Переписка с этим гражданином уже остановлена")

    refused = await harness.send(citizen, "Почему не отвечаете?!")
    assert [message.chat.id for message in refused] == [citizen.id]
    assert refused[0].text.startswith("К сожалению, переписка со специалистами")
    await harness.send(citizen, "/my")
    await harness.press(citizen, f"№ {number}")
    await harness.press(citizen, "Добавить комментарий")
    comment = await harness.send(citizen, "Комментарий")
    assert [message.chat.id for message in comment] == [citizen.id]
    assert comment[0].text.startswith("К сожалению, переписка")
    # Operators can still answer a banned citizen.
    answer = await harness.send_to_group(operator, forum, "Ответ", thread_id=thread)
    assert answer[0].chat.id == citizen.id

    unbanned = await harness.send_to_group(operator, forum, f"/unban {number}")
    assert unbanned[0].text == f"✅ Переписка с гражданином (обращение № {number}) возобновлена."
    assert "Переписка остановлена" not in card.text
    relayed = await follow_up(harness, citizen, "Спасибо")
    assert relayed[1].chat.id == forum
    kinds = await event_kinds(database, number)
    assert kinds.count(EventKind.BANNED) == 1 and kinds.count(EventKind.UNBANNED) == 1


async def test_comment_from_my_appeals_reaches_the_thread(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    number = await file_consultation(harness, citizen)
    await harness.send(citizen, "/my")
    await harness.press(citizen, f"№ {number}")
    await harness.press(citizen, "Добавить комментарий")
    sent = await harness.send(citizen, "Нашёл номер заявления: 555666")
    assert sent[0].text == f"💬 Комментарий добавлен к обращению № {number}."
    assert sent[1].chat.id == forum
    assert sent[1].text == f"📝 Комментарий гражданина · № {number}\nНашёл номер заявления: 555666"


async def test_blocking_the_bot_is_marked_on_the_card(
    harness: BotHarness, forum: int, citizen: Person, database: BotDatabase
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    await harness.block_bot(citizen)
    assert "🚫 Гражданин заблокировал бота" in card.text
    assert (await event_kinds(database, number))[-1] == EventKind.BOT_BLOCKED
    await harness.unblock_bot(citizen)
    assert "заблокировал" not in card.text
    assert (await event_kinds(database, number))[-1] == EventKind.BOT_UNBLOCKED


async def test_operator_help_in_the_chat(harness: BotHarness, forum: int, operator: Person) -> None:
    replies = await harness.send_to_group(operator, forum, "/help")
    assert replies[0].text.startswith(
        "Работа с обращениями\n\nКаждое обращение приходит карточкой в отдельной теме."
    )


async def test_notes_for_colleagues_stay_in_the_chat(
    harness: BotHarness, forum: int, citizen: Person, operator: Person
) -> None:
    number = await file_consultation(harness, citizen)
    sent = await harness.send_to_group(
        operator,
        forum,
        "// проверь выписку, пожалуйста",
        thread_id=card_of(harness, number).thread_id,
    )
    assert sent == []


async def test_outside_working_hours_the_citizen_is_told_when_operators_answer(
    settings,
    database: BotDatabase,
    clock: ManualClock,
    citizen: Person,
    start_dispatcher: StartDispatcher,
) -> None:
    from datetime import UTC, datetime

    from bot.factory import create_bot

    weekdays = settings.model_copy(update={"working_hours": "mon-fri 09:00-18:00"})
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT, forum=True)
    harness = BotHarness(
        await start_dispatcher(weekdays, database, clock, telegram),
        create_bot(weekdays, session=DirectSession(telegram)),
        telegram,
    )
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday, 12:00 in Moscow

    number = await file_consultation(harness, citizen)
    receipt = next(
        message
        for message in harness.messages_in(citizen.id)
        if message.text.startswith("✅ Обращение зарегистрировано")
    )
    assert receipt.text.endswith(
        "🕘 Сейчас нерабочее время: специалисты работают пн–пт 09:00–18:00 "
        "(по московскому времени). Ответ придёт не раньше, чем в понедельник, 30.11, в 09:00."
    )
    assert card_of(harness, number).text.startswith(f"🆕 Обращение № {number}")  # still queued
    ack = await follow_up(harness, citizen, "Добавлю деталь")
    assert ack[0].text.startswith(
        f"✉️ Сообщение передано специалисту по обращению № {number}.\n\n🕘 Сейчас нерабочее время"
    )

    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))  # Monday, 10:00 in Moscow
    ack = await follow_up(harness, citizen, "Ещё деталь")
    assert ack[0].text == f"✉️ Сообщение передано специалисту по обращению № {number}."


async def test_operator_names_are_shown_literally_and_alerts_fit_telegram(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    odd = Person(id=2077, first_name="<b>Иван</b> & " + "Я" * 150, username="ivan")
    harness.set_member(forum, odd, "member")
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    await harness.press(odd, "Взять в работу", card)
    toast = harness.telegram.callback_answers[-1].text or ""
    assert toast.startswith(f"🛠 Обращение № {number} взято в работу, специалист: <b>Иван</b> & ЯЯЯ")
    assert len(toast) == 200
    assert "Ответственный: <b>Иван</b> & ЯЯЯ" in card.text  # escaped in HTML, shown as typed
    assert "&lt;b&gt;Иван&lt;/b&gt; &amp; ЯЯЯ" in card.html
