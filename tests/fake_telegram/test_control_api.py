"""The JSON control API and the standalone server, for driving the fake from another process."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from fake_telegram import FakeTelegram
from fake_telegram.__main__ import parse_arguments, serve
from tests.polling import polling


async def control(
    http: aiohttp.ClientSession, telegram: FakeTelegram, action: str, **arguments: Any
) -> Any:
    async with http.post(f"{telegram.base_url}/_fake/{action}", json=arguments) as response:
        body = await response.json()
    if response.status != 200:
        raise AssertionError(f"{action} -> {response.status}: {body}")
    return body["result"]


async def test_another_process_can_play_the_user(telegram: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def offer(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Записаться", callback_data="book")]]
        )
        await message.answer("Запись к врачу", reply_markup=markup)

    @dispatcher.callback_query()
    async def book(query: CallbackQuery) -> None:
        await query.answer("Записано")

    async with aiohttp.ClientSession() as http, polling(telegram, dispatcher, bot):
        user = await control(http, telegram, "users", first_name="Анна")
        await control(http, telegram, "send_command", user_id=user["id"], command="start")
        [card] = await control(http, telegram, "wait_for_bot_messages", chat_id=user["id"])
        pressed = await control(
            http,
            telegram,
            "press_button",
            user_id=user["id"],
            chat_id=user["id"],
            message_id=card["message_id"],
            label="Записаться",
        )
        await control(http, telegram, "wait_until_quiet")
        async with http.get(f"{telegram.base_url}/_fake/chats/{user['id']}/messages") as response:
            messages = (await response.json())["result"]
        async with http.get(f"{telegram.base_url}/_fake/callback_answers") as response:
            answers = (await response.json())["result"]

    assert card["text"] == "Запись к врачу"
    assert pressed["data"] == "book"
    assert [message["text"] for message in messages] == ["/start", "Запись к врачу"]
    assert answers == [
        {"query_id": pressed["callback_query_id"], "text": "Записано", "show_alert": False}
    ]


async def test_control_errors_explain_themselves(telegram: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{telegram.base_url}/_fake/send_text", json={"user_id": 1, "text": "x"}
        ) as response:
            unknown_user = (response.status, await response.json())
        async with http.post(
            f"{telegram.base_url}/_fake/send_text", json={"text": "x"}
        ) as response:
            missing_argument = (response.status, await response.json())
        fault = await control(
            http, telegram, "fail_next", method="sendMessage", error_code=429, retry_after=3
        )

    assert unknown_user == (404, {"error": "no user with id 1; add_user() first"})
    assert missing_argument == (400, {"error": "missing argument 'user_id'"})
    assert fault["parameters"] == {"retry_after": 3}


async def test_the_server_runs_standalone(capsys: pytest.CaptureFixture[str]) -> None:
    server = asyncio.create_task(
        serve(parse_arguments(["--token", "42:standalone", "--bot-username", "demo_bot"]))
    )
    try:
        printed = ""
        while "Bot token" not in printed and not server.done():
            await asyncio.sleep(0.01)
            printed += capsys.readouterr().out
        base_url = printed.splitlines()[0].rsplit(" ", 1)[-1]
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{base_url}/bot42:standalone/getMe") as response,
        ):
            me = (await response.json())["result"]
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server

    assert printed.startswith("Fake Telegram Bot API at http://127.0.0.1:")
    assert "Bot token: 42:standalone" in printed
    assert (me["id"], me["username"]) == (42, "demo_bot")
