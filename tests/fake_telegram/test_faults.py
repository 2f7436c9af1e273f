"""Injected faults reach the bot as the aiogram exceptions real Telegram errors produce."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InputMediaPhoto

from fake_telegram import FakeTelegram, FakeUser


async def test_flood_control_carries_retry_after(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    telegram.fail_next("sendMessage", 429, retry_after=7)

    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(anna.id, "Ответ")

    assert raised.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in str(raised.value)
    assert (await bot.send_message(anna.id, "Ответ")).message_id == 1


@pytest.mark.parametrize(
    ("error_code", "description", "exception", "expected_text"),
    [
        (500, None, TelegramServerError, "Internal Server Error"),
        (502, None, TelegramServerError, "Bad Gateway"),
        (403, None, TelegramForbiddenError, "Forbidden: bot was blocked by the user"),
        (
            400,
            "Bad Request: message thread not found",
            TelegramBadRequest,
            "message thread not found",
        ),
    ],
)
async def test_faults_map_to_aiograms_exceptions(
    telegram: FakeTelegram,
    bot: Bot,
    anna: FakeUser,
    error_code: int,
    description: str | None,
    exception: type[Exception],
    expected_text: str,
) -> None:
    telegram.fail_next("sendmessage", error_code, description)

    with pytest.raises(exception, match=expected_text):
        await bot.send_message(anna.id, "Ответ")
    assert telegram.bot_messages(anna) == []


async def test_faults_count_down_and_can_target_one_chat(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    boris = telegram.add_user("Борис")
    telegram.fail_next("*", 500, times=2, chat_id=anna.id)

    await bot.send_message(boris.id, "Борису")
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_chat_action(anna.id, "typing")
    await bot.send_message(anna.id, "Анне")

    assert telegram.faults.pending == []
    assert [call.status for call in telegram.calls] == [200, 500, 500, 200]


async def test_a_wildcard_fault_spares_long_polling(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    telegram.fail_next("*", 502)

    assert await bot.get_updates() == []
    with pytest.raises(TelegramServerError):
        await bot.send_message(anna.id, "x")


async def test_group_flood_limit_is_off_until_enabled(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    group = telegram.add_group("Операторы", members=[anna])
    for number in range(25):
        await bot.send_message(group.id, f"Сообщение {number}")

    telegram.set_group_flood_limit(20)

    for number in range(20):
        await bot.send_message(group.id, f"Сообщение {number}")
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(group.id, "Лишнее")
    assert 55 <= raised.value.retry_after <= 60
    assert (await bot.send_message(anna.id, "В личку можно")).text == "В личку можно"

    telegram.set_group_flood_limit(None)
    assert (await bot.send_message(group.id, "Снова можно")).text == "Снова можно"


async def test_an_album_that_does_not_fit_the_flood_limit_sends_nothing(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    group = telegram.add_group("Операторы", members=[anna])
    telegram.set_group_flood_limit(3)
    photo = (await bot.send_photo(group.id, BufferedInputFile(b"img", filename="a.jpg"))).photo[-1]

    with pytest.raises(TelegramRetryAfter):
        await bot.send_media_group(group.id, [InputMediaPhoto(media=photo.file_id)] * 3)

    assert len(telegram.bot_messages(group)) == 1
    assert (
        len(await bot.send_media_group(group.id, [InputMediaPhoto(media=photo.file_id)] * 2)) == 2
    )


async def test_a_planned_delay_holds_the_call_then_runs_it(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    telegram.delay_next("sendMessage", 0.3, chat_id=anna.id)
    started = asyncio.get_running_loop().time()

    sent = await bot.send_message(anna.id, "Ответ")

    assert asyncio.get_running_loop().time() - started >= 0.3
    assert [message.text for message in telegram.bot_messages(anna)] == ["Ответ"]
    assert sent.message_id == 1
    started = asyncio.get_running_loop().time()
    await bot.send_message(anna.id, "Второй")  # the delay was for one call only
    assert asyncio.get_running_loop().time() - started < 0.3


async def test_a_call_whose_bot_went_away_during_the_delay_never_happens(
    telegram: FakeTelegram, anna: FakeUser
) -> None:
    telegram.delay_next("sendMessage", 0.5)
    bot = telegram.create_bot()
    request = asyncio.create_task(bot.send_message(anna.id, "Ответ"))
    await telegram.wait_until(lambda: telegram.calls_to("sendMessage"))
    request.cancel()
    await bot.session.close()  # the connection closes, as when the bot process is killed

    await telegram.wait_until(
        lambda: telegram.calls_to("sendMessage")[0].status is not None, timeout=2
    )
    assert telegram.calls_to("sendMessage")[0].status == 499
    assert telegram.bot_messages(anna) == []
