"""Groups and forum topics: where operators of a support bot usually work."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Message

from fake_telegram import FakeTelegram, FakeUser, MemberStatus
from tests.polling import polling


@pytest.fixture
def operator(telegram: FakeTelegram) -> FakeUser:
    return telegram.add_user("Ольга", username="olga_operator")


async def test_a_topic_is_numbered_by_its_opening_service_message(
    telegram: FakeTelegram, bot: Bot, operator: FakeUser
) -> None:
    forum = telegram.add_group("Поддержка", forum=True, admins=[operator])
    await bot.send_message(forum.id, "Смена началась")

    topic = await bot.create_forum_topic(forum.id, "Анна Петрова #42")
    in_topic = await bot.send_message(
        forum.id, "Новое обращение", message_thread_id=topic.message_thread_id
    )

    assert topic.message_thread_id == 2
    assert (topic.name, topic.icon_color) == ("Анна Петрова #42", 7322096)
    assert in_topic.message_thread_id == topic.message_thread_id
    assert in_topic.is_topic_message is True
    assert in_topic.reply_to_message.forum_topic_created.name == "Анна Петрова #42"


async def test_sending_to_a_deleted_or_unknown_topic_fails(
    telegram: FakeTelegram, bot: Bot, operator: FakeUser
) -> None:
    forum = telegram.add_group("Поддержка", forum=True, admins=[operator])
    deleted_by_bot = await bot.create_forum_topic(forum.id, "Закрытое обращение")
    deleted_by_admin = telegram.add_topic(forum, "Удалено админом")

    await bot.delete_forum_topic(forum.id, deleted_by_bot.message_thread_id)
    telegram.delete_topic(forum, deleted_by_admin)

    for thread_id in (deleted_by_bot.message_thread_id, deleted_by_admin.thread_id, 999):
        with pytest.raises(TelegramBadRequest, match="Bad Request: message thread not found"):
            await bot.send_message(forum.id, "Ответ", message_thread_id=thread_id)


async def test_topics_need_a_forum_and_change_state_only_once(
    telegram: FakeTelegram, bot: Bot, operator: FakeUser
) -> None:
    plain_group = telegram.add_group("Обычная группа", members=[operator])
    forum = telegram.add_group("Поддержка", forum=True, admins=[operator])
    topic = await bot.create_forum_topic(forum.id, "Обращение")

    with pytest.raises(TelegramBadRequest, match="Bad Request: the chat is not a forum"):
        await bot.create_forum_topic(plain_group.id, "Обращение")
    assert await bot.close_forum_topic(forum.id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(forum.id, topic.message_thread_id)
    assert await bot.reopen_forum_topic(forum.id, topic.message_thread_id)
    assert await bot.edit_forum_topic(forum.id, topic.message_thread_id, name="Обращение (решено)")
    assert forum.topics[topic.message_thread_id].name == "Обращение (решено)"
    services = [message.service for message in telegram.messages(forum) if message.is_service]
    assert [next(iter(service)) for service in services] == [
        "forum_topic_created",
        "forum_topic_closed",
        "forum_topic_reopened",
        "forum_topic_edited",
    ]


async def test_a_closed_topic_refuses_a_bot_that_is_not_admin(
    telegram: FakeTelegram, bot: Bot, operator: FakeUser
) -> None:
    forum = telegram.add_group("Поддержка", forum=True, admins=[operator], bot_status="member")
    topic = telegram.add_topic(forum, "Обращение")
    topic.is_closed = True

    with pytest.raises(TelegramBadRequest, match="Bad Request: TOPIC_CLOSED"):
        await bot.send_message(forum.id, "Ответ", message_thread_id=topic.thread_id)
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(forum.id, "Новое")


async def test_a_bot_replies_inside_the_topic_a_user_wrote_in(
    telegram: FakeTelegram, bot: Bot, operator: FakeUser
) -> None:
    forum = telegram.add_group("Поддержка", forum=True, admins=[operator])
    topic = telegram.add_topic(forum, "Анна Петрова #42")
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def acknowledge(message: Message) -> None:
        await message.reply("Передано пользователю")

    async with polling(telegram, dispatcher, bot):
        question = await telegram.send_text(
            operator, "Уточните номер заявления", forum, thread_id=topic
        )
        [reply] = await telegram.wait_for_bot_messages(forum)

    assert question.to_api()["message_thread_id"] == topic.thread_id
    assert reply.thread_id == topic.thread_id
    assert reply.reply_to is question


async def test_members_and_administrators(
    telegram: FakeTelegram, bot: Bot, operator: FakeUser, anna: FakeUser
) -> None:
    owner = telegram.add_user("Владелец")
    group = telegram.add_group(
        "Поддержка", owner=owner, admins=[operator], members=[anna], username="support_ops"
    )

    administrators = await bot.get_chat_administrators("@support_ops")
    member = await bot.get_chat_member(group.id, anna.id)
    stranger = await bot.get_chat_member(group.id, telegram.add_user("Чужой").id)
    chat = await bot.get_chat(group.id)

    assert [(admin.user.id, admin.status) for admin in administrators] == [
        (owner.id, "creator"),
        (bot.id, "administrator"),
        (operator.id, "administrator"),
    ]
    assert (member.status, stranger.status) == ("member", "left")
    assert (chat.type, chat.title, chat.username) == ("supergroup", "Поддержка", "support_ops")
    assert str(group.id).startswith("-100")
    with pytest.raises(TelegramBadRequest, match="there are no administrators in the private chat"):
        await bot.get_chat_administrators(anna.id)


async def test_set_member_lets_a_user_act_in_a_group_until_removed(
    telegram: FakeTelegram,
) -> None:
    group = telegram.add_group("Операторы")
    irina = telegram.add_user("Ирина")
    with pytest.raises(ValueError, match="is not a member"):
        await telegram.send_text(irina, "Привет", group)
    telegram.set_member(group, irina)
    await telegram.send_text(irina, "Привет", group)
    assert group.status_of(irina) == MemberStatus.MEMBER
    telegram.set_member(group, irina, "left")
    with pytest.raises(ValueError, match="is not a member"):
        await telegram.send_text(irina, "Я ушла", group)
    with pytest.raises(ValueError, match="private chat has no members"):
        telegram.set_member(irina, irina)
