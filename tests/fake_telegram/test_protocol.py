"""The HTTP protocol: URLs, encodings, tokens, error shapes, and how aiogram reads them."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import BufferedInputFile

from fake_telegram import FakeTelegram, FakeUser


class NoSuchMethod(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "sendTelepathicMessage"


async def test_aiogram_talks_to_it_through_its_stock_session(telegram: FakeTelegram) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url))
    bot = Bot(telegram.token, session=session)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()

    assert (me.id, me.is_bot, me.username) == (123456789, True, "gosuslugi_help_bot")
    assert telegram.base_url.startswith("http://127.0.0.1:")


async def test_a_wrong_token_is_unauthorized(telegram: FakeTelegram) -> None:
    stranger = Bot("987654321:AAOtherBotsToken", session=AiohttpSession(api=telegram.api_server))
    try:
        with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
            await stranger.get_me()
    finally:
        await stranger.session.close()


async def test_an_unknown_method_is_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramNotFound, match="Not Found: method not found"):
        await bot(NoSuchMethod())


async def test_a_real_method_the_fake_lacks_is_a_server_error_not_a_typo(
    bot: Bot, anna: FakeUser
) -> None:
    with pytest.raises(TelegramServerError, match="does not support the method sendSticker"):
        await bot.send_sticker(anna.id, "CAACAgIAAxkBAAI")


async def test_method_names_are_case_insensitive_and_get_with_query_works(
    telegram: FakeTelegram, anna: FakeUser
) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{telegram.base_url}/bot{telegram.token}/SENDMESSAGE"
        async with http.get(url, params={"chat_id": str(anna.id), "text": "привет"}) as response:
            body = await response.json()

    assert body["ok"] is True
    assert body["result"]["text"] == "привет"
    assert telegram.calls[-1].method == "sendMessage"


async def test_json_bodies_are_accepted(telegram: FakeTelegram, anna: FakeUser) -> None:
    payload = {
        "chat_id": anna.id,
        "text": "Выберите",
        "reply_markup": {"inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]},
    }
    url = f"{telegram.base_url}/bot{telegram.token}/sendMessage"
    async with aiohttp.ClientSession() as http, http.post(url, json=payload) as response:
        body = await response.json()

    assert body["result"]["reply_markup"] == payload["reply_markup"]


async def test_errors_have_telegrams_exact_shape(telegram: FakeTelegram) -> None:
    telegram.fail_next("getMe", 429, retry_after=3)
    async with aiohttp.ClientSession() as http:
        base = f"{telegram.base_url}/bot{telegram.token}"
        async with http.post(f"{base}/sendMessage", data={"text": "x"}) as response:
            missing_chat = (response.status, await response.json())
        async with http.post(f"{base}/getMe") as response:
            flood = (response.status, await response.json())

    assert missing_chat == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    assert flood == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )


async def test_every_call_is_logged_with_decoded_parameters(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    await bot.send_message(anna.id, "Здравствуйте", reply_markup={"remove_keyboard": True})
    await bot.send_document(anna.id, BufferedInputFile(b"%PDF", filename="заявление.pdf"))

    send, upload = telegram.calls_to("sendMessage")[0], telegram.calls_to("sendDocument")[0]
    assert send.ok
    assert send.params == {
        "chat_id": anna.id,
        "text": "Здравствуйте",
        "reply_markup": {"remove_keyboard": True},
    }
    assert send.result["text"] == "Здравствуйте"
    assert any(value == "<upload заявление.pdf, 4 bytes>" for value in upload.params.values())


async def test_uploaded_files_can_be_downloaded_back(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_document(
        anna.id, BufferedInputFile(b"%PDF-1.7 content", filename="a.pdf")
    )

    file = await bot.get_file(sent.document.file_id)
    downloaded = await bot.download_file(file.file_path)

    assert file.file_path.startswith("documents/") and file.file_path.endswith(".pdf")
    assert downloaded.read() == b"%PDF-1.7 content"


def test_tokens_must_look_like_bot_tokens() -> None:
    with pytest.raises(ValueError, match="digits, a colon"):
        FakeTelegram("not-a-token")


@pytest.mark.errors_expected
async def test_a_bug_in_the_fake_reaches_the_bot_as_a_server_error_with_the_reason(
    telegram: FakeTelegram,
    bot: Bot,
    anna: FakeUser,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_storage(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(telegram.world, "add_message", broken_storage)

    with pytest.raises(
        TelegramServerError, match=r"fake server bug: RuntimeError\('disk on fire'\)"
    ):
        await bot.send_message(anna.id, "x")
    assert [record.getMessage() for record in caplog.records if record.levelname == "ERROR"] == [
        "the fake Telegram server failed on sendMessage"
    ]


async def test_session_methods_succeed(telegram: FakeTelegram, bot: Bot) -> None:
    assert await bot.log_out() is True
    assert await bot.close() is True
    assert [call.method for call in telegram.calls] == ["logOut", "close"]
