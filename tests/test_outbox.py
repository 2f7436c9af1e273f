"""Nothing lost: the outbox survives restarts, flood control, server and network errors,
deleted topics, blocked citizens and cards that can no longer be edited."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from aiogram import Dispatcher

from bot.domain.clock import ManualClock
from bot.domain.models import AppealStatus, AppealType, EventKind
from bot.services.outbox import OutboxSender
from bot.settings import Settings
from bot.storage.backends import Backend
from bot.storage.sqlite.timefmt import to_db
from fake_telegram import DirectSession
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, BotDatabase, StartDispatcher, running_bot
from tests.desk_helpers import (
    card_of,
    event_kinds,
    file_consultation,
    follow_up,
    operators_messages,
    status_of,
)


def sender_of(dispatcher: Dispatcher) -> OutboxSender:
    return dispatcher["outbox_sender"]


async def outbox_rows(database: BotDatabase) -> list[tuple[str, str, int]]:
    rows = await database.fetchall("SELECT kind, status, attempts FROM outbox ORDER BY id")
    return [tuple(row) for row in rows]  # type: ignore[misc]


def texts_in(harness: BotHarness, chat_id: int) -> list[str]:
    return [message.text for message in harness.messages_in(chat_id)]


async def test_restart_delivers_what_was_pending_exactly_once(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    settings: Settings,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    harness.auto_deliver = False
    number = await file_consultation(harness, citizen)
    await follow_up(harness, citizen, "Первое дополнение")
    await follow_up(harness, citizen, "Второе дополнение")
    assert operators_messages(harness) == []
    assert len(await Backend(database).outbox.pending()) == 3

    # The bot delivers one row (topic and card), then stops.
    assert await sender_of(harness.dispatcher).run_once(harness.bot, limit=1) == 1
    await harness.dispatcher.emit_shutdown(**harness.dispatcher.workflow_data)
    await database.close()

    async with running_bot(settings, clock, harness.telegram) as (restarted, reopened):
        assert await restarted.deliver() == 2
        assert await restarted.deliver() == 0
        assert await outbox_rows(reopened) == [
            ("card", "delivered", 0),
            ("message", "delivered", 0),
            ("message", "delivered", 0),
        ]

    in_topic = texts_in(harness, forum)
    assert len(harness.telegram.calls_to("createForumTopic")) == 1
    assert sum(text.startswith(f"🆕 Обращение № {number}") for text in in_topic) == 1
    assert in_topic[1:] == [
        f"💬 Гражданин · № {number}\nПервое дополнение",
        f"💬 Гражданин · № {number}\nВторое дополнение",
    ]


async def test_flood_control_waits_as_told_then_delivers_in_order(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    harness.auto_deliver = False
    first = await file_consultation(harness, citizen)
    harness.telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30
    )
    assert await harness.deliver() == 1
    assert operators_messages(harness) == []
    row = await database.fetchone("SELECT not_before, attempts, last_error FROM outbox")
    assert row is not None
    assert tuple(row) == (to_db(clock.now() + timedelta(seconds=30)), 1, "retry after 30 s")

    # The whole operators' chat waits, not just that appeal.
    second = await file_consultation(harness, other_citizen)
    clock.advance(seconds=29)
    assert await harness.deliver() == 0
    assert operators_messages(harness) == []

    clock.advance(seconds=1)
    assert await harness.deliver() == 2
    cards = [message.text.split("\n")[0] for message in operators_messages(harness)]
    assert cards == [f"🆕 Обращение № {first}", f"🆕 Обращение № {second}"]


async def test_server_and_network_errors_are_retried_with_backoff(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    number = await file_consultation(harness, citizen)
    harness.auto_deliver = False
    harness.telegram.fail_next("sendMessage", 502, "Bad Gateway")
    await harness.press(operator, "Взять в работу", card_of(harness, number))
    await harness.deliver()
    assert "Статус: в работе" in card_of(harness, number).text  # the card is another lane
    taken = f"🛠 Обращение № {number} взято в работу."
    assert not any(text.startswith(taken) for text in texts_in(harness, citizen.id))

    harness.session.fail_network_next("sendMessage")
    clock.advance(seconds=1)  # first backoff: 1 s
    assert await harness.deliver() == 1
    clock.advance(seconds=1)
    assert await harness.deliver() == 0  # second backoff: 2 s
    clock.advance(seconds=1)
    assert await harness.deliver() == 1
    assert sum(text.startswith(taken) for text in texts_in(harness, citizen.id)) == 1
    row = await database.fetchone("SELECT status, attempts FROM outbox WHERE audience = 'citizen'")
    assert row is not None and tuple(row) == ("delivered", 2)


async def test_deleted_topic_is_recreated_with_a_new_card(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    old_topic = card_of(harness, number).thread_id
    assert old_topic is not None
    harness.telegram.delete_topic(forum, old_topic)

    sent = await follow_up(harness, citizen, "Вы тут?")
    topics = harness.telegram.calls_to("createForumTopic")
    assert len(topics) == 2
    new_topic = next(iter(harness.topics(forum)))
    assert new_topic != old_topic
    card = card_of(harness, number)
    assert card.thread_id == new_topic
    relayed = [message for message in sent if message.chat.id == forum]
    assert [message.text.split("\n")[0] for message in relayed] == [
        f"🆕 Обращение № {number}",
        f"💬 Гражданин · № {number}",
    ]
    assert all(message.thread_id == new_topic for message in relayed)
    kinds = await event_kinds(database, number)
    # The message was recorded when it arrived; the topic was replaced when it was delivered.
    assert kinds[-4:] == [
        EventKind.CITIZEN_MESSAGE,
        EventKind.TOPIC_LOST,
        EventKind.TOPIC_CREATED,
        EventKind.CARD_POSTED,
    ]

    answer = await harness.send_to_group(operator, forum, "Да, мы тут", thread_id=new_topic)
    assert answer[0].chat.id == citizen.id


async def test_topic_closed_by_hand_is_reopened(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    number = await file_consultation(harness, citizen)
    topic = card_of(harness, number).thread_id
    assert topic is not None
    # An operator closes the topic. Telegram lets an admin with the right to manage topics
    # post in it anyway; a bot without that right is refused, as planned here.
    harness.chat(forum).topics[topic].is_closed = True
    harness.telegram.fail_next("sendMessage", 400, "Bad Request: TOPIC_CLOSED", chat_id=forum)
    sent = await follow_up(harness, citizen, "Добрый день")
    assert [message.thread_id for message in sent if message.chat.id == forum] == [topic]
    assert len(harness.telegram.calls_to("reopenForumTopic")) == 1
    assert not harness.chat(forum).topics[topic].is_closed


async def test_two_messages_at_once_for_a_new_appeal_make_one_topic(
    harness: BotHarness, forum: int, citizen: Person
) -> None:
    harness.auto_deliver = False
    number = await file_consultation(harness, citizen)
    await follow_up(harness, citizen, "Раз")
    await follow_up(harness, citizen, "Два")
    sender = sender_of(harness.dispatcher)
    await asyncio.gather(
        sender.drain(harness.bot), sender.drain(harness.bot), sender.run_once(harness.bot)
    )
    assert len(harness.telegram.calls_to("createForumTopic")) == 1
    in_topic = operators_messages(harness)
    assert [message.text.split("\n")[-1] for message in in_topic[1:]] == ["Раз", "Два"]
    assert len({message.thread_id for message in in_topic}) == 1
    assert card_of(harness, number) is in_topic[0]


async def test_blocked_citizen_is_marked_and_the_sender_goes_on(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    harness.user(citizen).has_blocked_bot = True  # no my_chat_member update reached us

    sent = await harness.send_to_group(operator, forum, "Ответ", thread_id=card.thread_id)
    assert sent == []
    assert "🚫 Гражданин заблокировал бота" in card.text
    assert await status_of(database, number) == AppealStatus.ANSWERED
    row = await database.fetchone(
        "SELECT status, last_error FROM outbox WHERE audience = 'citizen'"
    )
    assert row is not None and tuple(row) == ("failed", "Forbidden: bot was blocked by the user")
    await harness.send_to_group(operator, forum, "Ещё ответ", thread_id=card.thread_id)
    assert (await event_kinds(database, number)).count(EventKind.BOT_BLOCKED) == 1

    other = await file_consultation(harness, other_citizen)
    assert card_of(harness, other).text.startswith(f"🆕 Обращение № {other}")


async def test_card_that_cannot_be_edited_is_sent_anew(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    old_card = card_of(harness, number)
    harness.telegram.fail_next("editMessageText", 400, "Bad Request: message can't be edited")
    await harness.press(operator, "Взять в работу", old_card)

    new_card = card_of(harness, number)
    assert new_card.message_id != old_card.message_id
    assert "Статус: в работе" in new_card.text and "Статус: новое" in old_card.text
    thread = await Backend(database).desk.thread(
        (await Backend(database).desk.open_appeals())[0].id
    )
    assert thread is not None and thread.card_message_id == new_card.message_id
    relayed = await follow_up(harness, citizen, "Спасибо")
    assert relayed[1].reply_to.message_id == new_card.message_id
    answer = await harness.send_to_group(operator, group, "Пожалуйста", reply_to=new_card)
    assert answer[0].chat.id == citizen.id


async def test_operators_chat_budget_of_twenty_a_minute(
    harness: BotHarness,
    group: int,
    dispatcher: Dispatcher,
    clock: ManualClock,
) -> None:
    harness.auto_deliver = False
    appeals = dispatcher["appeals"]
    for index in range(25):
        await appeals.file(
            5000 + index,
            5000 + index,
            AppealType.CONSULTATION,
            {"topic": f"Вопрос {index}", "description": "Описание"},
        )
    assert await harness.deliver() == 20
    assert len(operators_messages(harness)) == 20
    clock.advance(seconds=59)
    assert await harness.deliver() == 0
    clock.advance(seconds=1)
    assert await harness.deliver() == 5
    assert len(operators_messages(harness)) == 25


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.errors_expected
async def test_refused_payload_is_recorded_and_the_lane_moves_on(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    database: BotDatabase,
    caplog: pytest.LogCaptureFixture,
) -> None:
    number = await file_consultation(harness, citizen)
    harness.telegram.fail_next("sendPhoto", 400, "Bad Request: wrong file identifier")
    await follow_up(harness, citizen, **harness.photo("фото"))
    sent = await follow_up(harness, citizen, "А это текст")
    assert sent[1].text.endswith("А это текст")
    assert EventKind.DELIVERY_FAILED in await event_kinds(database, number)
    statuses = [row[1] for row in await outbox_rows(database)]
    assert statuses.count("failed") == 1
    assert error_lines(caplog) == [
        "Outbox row 2 refused by Telegram: Bad Request: wrong file identifier"
    ]


@pytest.mark.errors_expected
async def test_without_operators_chat_appeals_wait_in_the_outbox(
    settings: Settings,
    database: BotDatabase,
    clock: ManualClock,
    citizen: Person,
    caplog: pytest.LogCaptureFixture,
    start_dispatcher: StartDispatcher,
) -> None:
    from bot.factory import create_bot

    unconfigured = settings.model_copy(update={"operators_chat_id": None})
    telegram = fake_telegram(TEST_TOKEN)
    bot = create_bot(unconfigured, session=DirectSession(telegram))
    dispatcher = await start_dispatcher(unconfigured, database, clock, telegram)
    harness = BotHarness(dispatcher, bot, telegram)
    number = await file_consultation(harness, citizen)
    assert number.startswith("2026-")
    assert [message.chat.id for message in harness.sent] == [citizen.id] * len(harness.sent)
    row = await database.fetchone("SELECT status, last_error FROM outbox")
    assert row is not None and tuple(row) == ("pending", "OPERATORS_CHAT_ID is not set")
    assert error_lines(caplog) == ["OPERATORS_CHAT_ID is not set: appeals wait in the outbox"]


async def test_background_sender_delivers_and_stops_cleanly(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    database: BotDatabase,
) -> None:
    harness.auto_deliver = False
    # As start_polling does: startup and shutdown get the workflow data.
    await harness.dispatcher.emit_startup(bot=harness.bot, **harness.dispatcher.workflow_data)
    try:
        number = await file_consultation(harness, citizen)
        for _ in range(200):
            if operators_messages(harness):
                break
            await asyncio.sleep(0.01)
        assert card_of(harness, number).thread_id is not None
    finally:
        await harness.dispatcher.emit_shutdown(bot=harness.bot, **harness.dispatcher.workflow_data)
    assert sender_of(harness.dispatcher)._task is None
    assert await outbox_rows(database) == [("card", "delivered", 0)]


@pytest.mark.errors_expected
async def test_operators_chat_not_reachable_keeps_the_rows(
    harness: BotHarness,
    citizen: Person,
    database: BotDatabase,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    del harness.telegram.world.chats[OPERATORS_CHAT]  # the bot is not in the chat yet
    number = await file_consultation(harness, citizen)
    row = await database.fetchone("SELECT status, last_error FROM outbox")
    assert row is not None and tuple(row) == (
        "pending",
        "Telegram server says - Bad Request: chat not found",
    )
    assert error_lines(caplog) == [
        "Operators' chat refused outbox row 1: Bad Request: chat not found"
    ]
    harness.telegram.add_group("Операторы", chat_id=OPERATORS_CHAT)  # an admin adds the bot
    clock.advance(seconds=1)
    await harness.deliver()
    assert card_of(harness, number).text.startswith(f"🆕 Обращение № {number}")
