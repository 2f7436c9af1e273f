"""Updates: long polling, offsets, filters, duplicates, and the users' actions behind them."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramConflictError, TelegramForbiddenError
from aiogram.filters import Command, CommandStart
from aiogram.types import ChatMemberUpdated, Message, Update

from fake_telegram import AlbumPhoto, FakeTelegram, FakeUser
from tests.polling import polling


async def test_long_polling_returns_as_soon_as_an_update_arrives(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    started = time.monotonic()
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await telegram.send_text(anna, "Здравствуйте")

    updates = await waiting

    assert time.monotonic() - started < 1
    assert [update.message.text for update in updates] == ["Здравствуйте"]


async def test_long_polling_without_updates_answers_after_the_timeout(bot: Bot) -> None:
    started = time.monotonic()

    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 1.5


async def test_updates_stay_until_an_offset_confirms_them(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    for text in ("один", "два", "три"):
        await telegram.send_text(anna, text)

    first_look = await bot.get_updates()
    second_look = await bot.get_updates(limit=2)
    after_confirming_one = await bot.get_updates(offset=first_look[0].update_id + 1)
    after_confirming_all = await bot.get_updates(offset=first_look[-1].update_id + 1)

    ids = [update.update_id for update in first_look]
    assert ids == list(range(ids[0], ids[0] + 3))
    assert [update.update_id for update in second_look] == ids[:2]
    assert [update.message.text for update in after_confirming_one] == ["два", "три"]
    assert after_confirming_all == []


async def test_a_negative_offset_keeps_only_the_newest_updates(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    for text in ("один", "два", "три"):
        await telegram.send_text(anna, text)

    assert [update.message.text for update in await bot.get_updates(offset=-1)] == ["три"]
    assert [update.message.text for update in await bot.get_updates()] == ["три"]


async def test_allowed_updates_filter_later_updates(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    card = await bot.send_message(
        anna.id, "x", reply_markup={"inline_keyboard": [[{"text": "Да", "callback_data": "y"}]]}
    )
    await bot.get_updates(allowed_updates=["message"])

    await telegram.press_button(anna, telegram.message(anna, card.message_id), "Да")
    await telegram.send_text(anna, "текст")

    assert [update.message.text for update in await bot.get_updates()] == ["текст"]
    assert "callback_query" in telegram.dropped_updates[0]


async def test_a_second_poller_ends_the_first_with_a_conflict(
    bot: Bot, telegram: FakeTelegram
) -> None:
    second_bot = telegram.create_bot()
    try:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await telegram.wait_until(lambda: len(telegram.calls_to("getUpdates")) == 1)
        second = asyncio.create_task(second_bot.get_updates(timeout=0))

        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
            await first
        assert await second == []
    finally:
        await second_bot.session.close()


async def test_get_updates_conflicts_with_a_webhook(bot: Bot, telegram: FakeTelegram) -> None:
    await bot.set_webhook("https://bot.example.ru/telegram")

    assert telegram.webhook_url == "https://bot.example.ru/telegram"
    with pytest.raises(
        TelegramConflictError, match="can't use getUpdates method while webhook is active"
    ):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_a_dispatcher_answers_a_user(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def greet(message: Message) -> None:
        await message.answer(f"Здравствуйте, {message.from_user.first_name}!")

    async with polling(telegram, dispatcher, bot):
        command = await telegram.send_command(anna, "start")
        [reply] = await telegram.wait_for_bot_messages(anna)

    assert command.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply.text == "Здравствуйте, Анна!"
    assert reply.message_id == command.message_id + 1


@pytest.mark.errors_expected
async def test_waiting_for_messages_times_out_with_the_reason(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def fail_to_answer(message: Message) -> None:
        await message.answer("<b>oops", parse_mode="HTML")

    async with polling(telegram, dispatcher, bot):
        await telegram.send_text(anna, "Здравствуйте")
        with pytest.raises(
            TimeoutError, match="sendMessage -> 400 Bad Request: can't parse entities"
        ):
            await telegram.wait_for_bot_messages(anna, timeout=0.3)
    # aiogram's polling logs the handler's failure (no error handler in this dispatcher).
    assert any(
        record.levelname == "ERROR" and "Cause exception" in record.getMessage()
        for record in caplog.records
    )


async def test_wait_until_quiet_names_a_bot_that_is_not_polling(
    telegram: FakeTelegram, anna: FakeUser
) -> None:
    await telegram.send_text(anna, "Есть кто?")

    with pytest.raises(
        TimeoutError, match="1 update\\(s\\) not taken by getUpdates \\(is the bot polling\\?\\)"
    ):
        await telegram.wait_until_quiet(timeout=0.2)


async def test_a_redelivered_update_reaches_the_bot_twice_with_the_same_id(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    dispatcher = Dispatcher()
    seen: list[int] = []

    @dispatcher.message()
    async def remember(message: Message, event_update: Update) -> None:
        seen.append(event_update.update_id)

    async with polling(telegram, dispatcher, bot):
        await telegram.send_text(anna, "Платёж")
        await telegram.wait_until_quiet()
        duplicate = await telegram.redeliver_update(seen[0])
        await telegram.send_text(anna, "Ещё")
        await telegram.wait_until_quiet()

    assert duplicate["update_id"] == seen[0]
    assert [update["update_id"] for update in telegram.update_history] == [seen[0], seen[0] + 1]
    assert seen == [seen[0], seen[0], seen[0] + 1]


async def test_raw_updates_are_delivered_as_given(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    injected = await telegram.inject_update(
        {
            "message": {
                "message_id": 500,
                "date": 1_700_000_000,
                "chat": {"id": anna.id, "type": "private", "first_name": "Анна"},
                "from": {"id": anna.id, "is_bot": False, "first_name": "Анна"},
                "text": "сырой апдейт",
            }
        }
    )

    [update] = await bot.get_updates()
    assert update.update_id == injected["update_id"]
    assert update.message.text == "сырой апдейт"


async def test_blocking_the_bot(telegram: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    dispatcher = Dispatcher()
    statuses: list[str] = []

    @dispatcher.my_chat_member()
    async def track(update: ChatMemberUpdated) -> None:
        statuses.append(update.new_chat_member.status)

    async with polling(telegram, dispatcher, bot):
        await telegram.block_bot(anna)
        await telegram.wait_until_quiet()
        with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
            await bot.send_message(anna.id, "Ответ оператора")
        assert (await bot.get_chat_member(anna.id, bot.id)).status == "kicked"
        await telegram.unblock_bot(anna)
        await telegram.wait_until_quiet()

    assert statuses == ["kicked", "member"]
    assert (await bot.send_message(anna.id, "Ответ оператора")).text == "Ответ оператора"


async def test_users_edits_arrive_as_edited_messages(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await telegram.send_text(anna, "СНИЛС 123")
    await telegram.edit_text(anna, sent, "СНИЛС 123-456-789 64")

    updates = await bot.get_updates()

    assert updates[1].edited_message.message_id == sent.message_id
    assert updates[1].edited_message.text == "СНИЛС 123-456-789 64"
    assert updates[1].edited_message.edit_date is not None


async def test_users_media_reaches_the_bot(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    await telegram.send_contact(anna, "+79161234567", anna.id)
    await telegram.send_photo(anna, caption="Паспорт")
    await telegram.send_document(anna, "заявление.docx", b"PK\x03\x04")
    await telegram.send_sticker(anna, "🙏")
    await telegram.send_media_group(anna, [AlbumPhoto("стр. 1"), AlbumPhoto()])

    messages = [update.message for update in await bot.get_updates()]

    assert (
        messages[0].contact.phone_number == "+79161234567"
        and messages[0].contact.user_id == anna.id
    )
    assert messages[1].caption == "Паспорт" and len(messages[1].photo) == 4
    assert messages[2].document.file_name == "заявление.docx"
    assert (
        messages[2].document.mime_type
        == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert messages[3].sticker.emoji == "🙏"
    assert messages[4].media_group_id == messages[5].media_group_id is not None
    downloaded = await bot.download(messages[2].document.file_id)
    assert downloaded.read() == b"PK\x03\x04"


async def test_privacy_mode_hides_plain_group_chatter_from_a_non_admin_bot(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    group = telegram.add_group("Жители дома 5", members=[anna], bot_status="member")
    dispatcher = Dispatcher()
    seen: list[str] = []

    @dispatcher.message(F.text)
    async def remember(message: Message) -> None:
        seen.append(message.text)

    @dispatcher.message(Command("help"))
    async def never_reached(message: Message) -> None:
        raise AssertionError("the first handler takes every text")

    async with polling(telegram, dispatcher, bot):
        await telegram.send_text(anna, "просто разговор", group)
        await telegram.send_command(anna, "help", chat=group, mention_bot=True)
        await telegram.send_text(anna, "@gosuslugi_help_bot помоги", group)
        await telegram.wait_until_quiet()

    assert seen == ["/help@gosuslugi_help_bot", "@gosuslugi_help_bot помоги"]
    assert telegram.messages(group)[0].text == "просто разговор"
