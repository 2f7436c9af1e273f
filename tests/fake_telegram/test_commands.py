"""Bot commands and the menu button, kept per scope and language like Telegram keeps them."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, MenuButtonCommands

from fake_telegram import FakeTelegram, FakeUser


async def test_commands_are_kept_per_scope_and_language(telegram: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Начать")])
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start")], language_code="en"
    )
    await bot.set_my_commands(
        [BotCommand(command="ticket", description="Обращение")],
        scope=BotCommandScopeAllGroupChats(),
    )

    assert [command.command for command in await bot.get_my_commands()] == ["start"]
    assert (await bot.get_my_commands(language_code="en"))[0].description == "Start"
    assert telegram.commands({"type": "all_group_chats"}) == [
        {"command": "ticket", "description": "Обращение"}
    ]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == []


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [("Start", "Начать", "BOT_COMMAND_INVALID"), ("start", "", "BOT_COMMAND_DESCRIPTION_INVALID")],
)
async def test_invalid_commands_are_refused(
    bot: Bot, command: str, description: str, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.set_my_commands([BotCommand(command=command, description=description)])


async def test_menu_button_per_chat_and_default(bot: Bot, anna: FakeUser) -> None:
    await bot.set_chat_menu_button(chat_id=anna.id, menu_button=MenuButtonCommands())

    assert (await bot.get_chat_menu_button(chat_id=anna.id)).type == "commands"
    assert (await bot.get_chat_menu_button()).type == "default"
