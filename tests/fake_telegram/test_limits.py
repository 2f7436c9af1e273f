"""Telegram's latency and send limits in the fake: off by default, Telegram's behaviour when on."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import BufferedInputFile, InputMediaPhoto

from fake_telegram import FakeTelegram, FakeUser, TelegramApiError
from fake_telegram.limits import SendLimits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_no_limit_and_no_latency_by_default(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    started = asyncio.get_running_loop().time()
    for number in range(40):
        await bot.send_message(anna.id, f"Сообщение {number}")

    assert len(telegram.bot_messages(anna)) == 40
    assert asyncio.get_running_loop().time() - started < 2.0


async def test_latency_delays_every_answer_and_the_message_appears_half_way(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    await bot.get_me()  # the connection is open before the clock starts
    telegram.set_latency(0.4)
    loop = asyncio.get_running_loop()
    started = loop.time()
    request = asyncio.create_task(bot.send_message(anna.id, "Ответ"))

    await telegram.wait_for_bot_messages(anna)
    appeared = loop.time() - started
    await request
    answered = loop.time() - started

    assert 0.18 <= appeared < 0.35
    assert 0.38 <= answered < 0.6
    telegram.set_latency(0)
    started = loop.time()
    await bot.get_me()
    assert loop.time() - started < 0.15


async def test_the_latency_applies_to_error_answers_and_long_polling(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    telegram.set_latency(0.3)
    telegram.fail_next("sendMessage", 429, retry_after=1)
    loop = asyncio.get_running_loop()

    started = loop.time()
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(anna.id, "Ответ")
    assert loop.time() - started >= 0.28

    await telegram.send_text(anna, "Привет")
    started = loop.time()
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.text == "Привет"
    assert loop.time() - started >= 0.28


async def test_one_message_a_second_per_private_chat_after_a_short_burst(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    boris = telegram.add_user("Борис")
    telegram.set_send_limits(messages_per_second=None, private_chat_burst=2)

    await bot.send_message(anna.id, "Первое")
    await bot.send_message(anna.id, "Второе")
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(anna.id, "Третье")
    assert raised.value.retry_after == 1
    assert (await bot.send_message(boris.id, "Борису можно")).text == "Борису можно"
    # Editing and answering are not counted.
    first = telegram.bot_messages(anna)[0]
    await bot.edit_message_text("Первое, исправлено", chat_id=anna.id, message_id=first.message_id)

    await asyncio.sleep(1.05)
    assert (await bot.send_message(anna.id, "Через секунду")).text == "Через секунду"
    assert [message.text for message in telegram.bot_messages(anna)] == [
        "Первое, исправлено",
        "Второе",
        "Через секунду",
    ]
    statuses = [call.status for call in telegram.calls_to("sendMessage")]
    assert statuses == [200, 200, 429, 200, 200]


async def test_thirty_messages_a_second_per_bot(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    group = telegram.add_group("Операторы", members=[anna])
    citizens = [telegram.add_user(f"Гражданин {number}") for number in range(31)]
    telegram.send_limits.clock = FakeClock()  # the second doesn't pass while a loaded CI sends
    telegram.set_send_limits(messages_per_second=30, private_chat_messages_per_second=None)

    for citizen in citizens[:29]:
        await bot.send_message(citizen.id, "Ответ")
    await bot.send_message(group.id, "Карточка")  # a group's message counts too
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(citizens[30].id, "Тридцать первое")

    assert raised.value.retry_after == 1
    assert telegram.bot_messages(citizens[30]) == []
    assert telegram.send_limits.refused == 1


async def test_an_album_counts_each_item_and_a_refused_call_costs_nothing(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    telegram.set_send_limits(messages_per_second=None, private_chat_burst=3)
    sizes = (await bot.send_photo(anna.id, BufferedInputFile(b"img", filename="a.jpg"))).photo
    assert sizes is not None
    photo = sizes[-1]

    with pytest.raises(TelegramRetryAfter):
        await bot.send_media_group(anna.id, [InputMediaPhoto(media=photo.file_id)] * 3)

    sent = await bot.send_media_group(anna.id, [InputMediaPhoto(media=photo.file_id)] * 2)
    assert len(sent) == 2
    assert len(telegram.bot_messages(anna)) == 3


def test_the_buckets_refill_at_their_rate() -> None:
    clock = FakeClock()
    limits = SendLimits(clock)
    limits.configure(messages_per_second=30, private_chat_messages_per_second=1)
    for _ in range(3):
        limits.check(1, True)
        limits.count(1, True)
    with pytest.raises(TelegramApiError, match="retry after 1"):
        limits.check(1, True)

    clock.now += 0.5
    with pytest.raises(TelegramApiError, match="retry after 1"):
        limits.check(1, True)
    clock.now += 0.5
    limits.check(1, True)  # one more a second
    limits.count(1, True)
    for chat in range(2, 31):  # the bot's bucket, full again after a second, has 29 left
        limits.check(chat, True)
        limits.count(chat, True)
    with pytest.raises(TelegramApiError, match="retry after 1"):
        limits.check(99, True)
    clock.now += 1 / 30
    limits.check(99, True)


async def test_the_control_api_sets_latency_and_limits(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    async with aiohttp.ClientSession() as http:
        for action, body in (
            ("latency", {"seconds": 0.05}),
            ("send_limits", {"messages_per_second": 30, "private_chat_messages_per_second": 1}),
        ):
            async with http.post(f"{telegram.base_url}/_fake/{action}", json=body) as response:
                assert response.status == 200, await response.text()

    assert telegram.latency.seconds == 0.05
    assert telegram.send_limits.messages_per_second == 30
    for _ in range(3):
        await bot.send_message(anna.id, "Ответ")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(anna.id, "Лишнее")
